package io.vmres.deploy.dashboard;

import io.vmres.deploy.commands.Recorder;
import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Engine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.engine.recording.RecordingReader;
import io.vmres.engine.recording.ReplayDriver;
import io.vmres.engine.recording.ReplayOutputs;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the dashboard's own cluster engines fed from the input topics, for its what-if questions:
 * what {@code vmres whatif --bootstrap} does once per question (a {@link Recorder} of the input
 * topics, read back as a recording and replayed through the engines with their simulated
 * hypervisor), done once and followed as the topics grow. The engines run every instant up to the
 * watermark (the latest event time read less {@code outOfOrderness}), so a question costs only its
 * answer, not a replay of everything the topics hold.
 */
final class WhatIfFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WhatIfFeed.class);

    /** How often the topics are looked for while the broker or its input topics are missing. */
    private static final Duration RETRY = Duration.ofSeconds(2);

    /** Lines read are handed to the engines at least this often (the recorder's flush). */
    private static final Duration FLUSH = Duration.ofMillis(250);

    private static final int PIPE_CHARS = 1 << 20;

    private final KafkaEndpoint kafka;
    private final WhatIfEngines engines;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Recorder recorder;

    WhatIfFeed(KafkaEndpoint kafka, WhatIfEngines engines) {
        this.kafka = kafka;
        this.engines = engines;
        thread = new Thread(this::run, "vmres-dashboard-whatif");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            if (inputsExist()) {
                try {
                    follow();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("the what-if engines stopped following the input topics", e);
                }
            }
            LockSupport.parkNanos(RETRY.toNanos());
        }
    }

    /**
     * Whether the broker answers within seconds and holds an input topic: only then does a recorder
     * start (it would wait for the broker much longer, and fail without a topic).
     */
    private boolean inputsExist() {
        try (KafkaConsumer<byte[], byte[]> probe =
                new KafkaConsumer<>(
                        kafka.client(
                                Map.of(
                                        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                                        false,
                                        ConsumerConfig.CLIENT_ID_CONFIG,
                                        "vmres-dashboard-whatif-probe")),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            Map<String, ?> topics = probe.listTopics(Duration.ofSeconds(3));
            return Topics.INPUTS.stream().anyMatch(topics::containsKey);
        } catch (KafkaException e) {
            return false;
        }
    }

    /** Records the input topics into a pipe, and replays what comes out of it, until closed. */
    private void follow() throws IOException {
        engines.reset();
        PipedReader in = new PipedReader(PIPE_CHARS);
        PipedWriter out = new PipedWriter(in);
        Recorder r =
                Recorder.builder(kafka, Path.of("dashboard-whatif.jsonl"))
                        .writeTo(out)
                        .progress(new PrintStream(OutputStream.nullOutputStream()), FLUSH)
                        .build();
        recorder = r;
        if (!running) {
            return;
        }
        Thread reader = new Thread(() -> replay(in), "vmres-dashboard-whatif-replay");
        reader.setDaemon(true);
        reader.start();
        try {
            r.run(); // until close(); it closes the pipe, and the replay reads to its end
        } finally {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The recording as it is written, through the engines, as Plan.engines reads a file. */
    private void replay(PipedReader in) {
        try (RecordingReader reader = RecordingReader.of(in, "dashboard-whatif.jsonl", Map.of())) {
            ReplayDriver driver =
                    new ReplayDriver(
                            reader.settings(),
                            new ClusterRouter()::route,
                            (cluster, settings) -> {
                                ClusterEngine e =
                                        new ClusterEngine(
                                                cluster, settings, EngineOptions.simulated());
                                engines.add(cluster, e);
                                return quiet(e);
                            },
                            new ReplayOutputs());
            long released = Long.MIN_VALUE;
            while (reader.hasNext()) {
                if (reader.next() instanceof RecordingReader.EventItem e) {
                    driver.offer(e.event());
                    long w = reader.watermark();
                    if (w > released) {
                        engines.hold();
                        try {
                            driver.watermark(w);
                        } finally {
                            // every instant before the watermark is complete
                            engines.release(w - 1);
                        }
                        released = w;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.warn("the what-if engines stopped reading the input topics", e);
            }
        }
    }

    /**
     * The engine, its decisions kept to itself: they are the simulated hypervisor's, not the job's,
     * and only its fleet state is asked.
     */
    private static Engine quiet(ClusterEngine engine) {
        return new Engine() {
            @Override
            public void advance(long t, List<Event> eventsAtT, Output out) {
                engine.advance(t, eventsAtT, DISCARD);
            }

            @Override
            public long nextDue() {
                return engine.nextDue();
            }

            @Override
            public void endOfInput(long lastTs) {
                engine.endOfInput(lastTs);
            }

            @Override
            public void giveUpAtEnd(long endTs, Output out) {
                engine.giveUpAtEnd(endTs, DISCARD);
            }

            @Override
            public List<IncidentFigures> figures() {
                return engine.figures();
            }
        };
    }

    private static final Output DISCARD =
            new Output() {
                @Override
                public void command(CommandOut command) {}

                @Override
                public void result(ResultOut result) {}

                @Override
                public void incident(IncidentOut incident) {}

                @Override
                public void alert(AlertOut alert) {}
            };

    @Override
    public void close() {
        running = false;
        Recorder r = recorder;
        if (r != null) {
            r.close();
        }
        thread.interrupt();
    }
}
