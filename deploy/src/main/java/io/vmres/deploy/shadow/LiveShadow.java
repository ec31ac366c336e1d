package io.vmres.deploy.shadow;

import io.vmres.deploy.commands.Recorder;
import io.vmres.deploy.runtime.JobStop;
import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.job.VmresJob;
import io.vmres.job.live.ShadowJob;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vmres shadow}: the production job on live telemetry beside the incumbent HA manager. The
 * {@link ShadowJob} runs on a local MiniCluster and writes its decisions to the shadow topics only;
 * the inputs are recorded into the report folder (the fleet and heartbeats the comparison judges
 * by); the shadow decisions and the incumbent's actions are read as they come, and the {@link
 * ShadowReport} is written again every {@code report.every} when either grew, and at stop.
 */
public final class LiveShadow implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveShadow.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long ADMIN_TIMEOUT_S = 15;

    private final ShadowConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final JobClient job;
    private final Path recording;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec codec = new AvroCodec();
    private final LiveDecisions decisions;
    private final List<IncumbentAction> incumbent = new ArrayList<>();
    private final List<String> unread = new ArrayList<>();
    private long reportedAt = -1;
    private ShadowReport.Report report;

    private LiveShadow(ShadowConfig config) throws Exception {
        this.config = config;
        this.decisions = new LiveDecisions(config.settings().heartbeatTimeoutMs());
        this.recording = config.reportDir().resolve("inputs.jsonl");
        try {
            Files.createDirectories(config.reportDir());
            topics(config);
            Configuration conf = VmresJob.jobConfiguration(Duration.ofSeconds(1));
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            conf.set(RestOptions.PORT, 0);
            conf.set(TaskManagerOptions.NUM_TASK_SLOTS, config.parallelism());
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(config.parallelism(), conf);
            ShadowJob.build(env, config.liveOptions(), config.prefix());
            JobClient client = env.executeAsync("vmres-shadow");
            started.add(() -> JobStop.cancel(client));
            this.job = client;

            Recorder recorder =
                    Recorder.builder(config.bootstrap(), recording)
                            .kafkaProperties(config.kafkaProperties())
                            .progress(
                                    new PrintStream(OutputStream.nullOutputStream()),
                                    config.reportEvery())
                            .build();
            Thread t = new Thread(() -> record(recorder), "vmres-shadow-recorder");
            t.setDaemon(true);
            t.start();
            started.add(recorder);

            this.consumer = consumer(config);
            started.add(consumer);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the shadow: checks the input topics, creates the shadow topics that are missing,
     * submits the shadow job and starts reading.
     */
    public static LiveShadow start(ShadowConfig config) throws Exception {
        return new LiveShadow(config);
    }

    /**
     * Runs until the lifecycle closes (Ctrl-C), with a status line every {@code report.every};
     * writes the report once more at stop.
     */
    public static int run(ShadowConfig config, Lifecycle lifecycle, PrintWriter out)
            throws Exception {
        LiveShadow shadow = lifecycle.start(() -> start(config));
        out.printf(
                Locale.ROOT,
                "vmres shadow job %s against the Kafka at %s: decisions to %s*, never to %s;"
                        + " the incumbent's actions (%s) from %s; the report in %s.%n",
                shadow.job.getJobID(),
                config.bootstrap(),
                config.prefix(),
                Topics.COMMANDS,
                config.format().name().toLowerCase(Locale.ROOT),
                config.incumbentTopic(),
                config.reportDir());
        out.println("Press Ctrl-C to stop.");
        out.flush();
        long t0 = System.nanoTime();
        while (!lifecycle.awaitShutdown(config.reportEvery())) {
            shadow.update();
            long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
            out.printf(Locale.ROOT, "[%02d:%02d] %s%n", s / 60, s % 60, shadow.status());
            out.flush();
        }
        return 0;
    }

    /**
     * Reads what the shadow topics and the incumbent's topic hold now and, when either grew,
     * compares again and writes the report.
     *
     * @return the latest report (null until there is one)
     */
    public synchronized ShadowReport.Report update() throws IOException {
        ConsumerRecords<byte[], byte[]> batch;
        do {
            batch = consumer.poll(POLL);
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                take(r);
            }
        } while (!batch.isEmpty());
        long seen = decisions.records() + incumbent.size() + unread.size();
        if (seen != reportedAt && Files.exists(recording) && Files.size(recording) > 0) {
            try {
                List<IncumbentAction> actions = new ArrayList<>(incumbent);
                actions.sort(java.util.Comparator.comparingLong(IncumbentAction::ts));
                ShadowReport.Report r =
                        ShadowReport.compare(
                                recording,
                                decisions.side(),
                                new IncumbentFormat.Read(actions, List.copyOf(unread)),
                                config.format().name().toLowerCase(Locale.ROOT));
                ShadowReport.write(r, config.reportDir());
                report = r;
                reportedAt = seen;
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                // the recording is written as this reads it: the next round reads it again
                LOG.warn("the shadow report could not be made this round", e);
            }
        }
        return report;
    }

    /** One line: the job, the incidents and who declared first, the recovery times. */
    public synchronized String status() {
        String state;
        try {
            state = job.getJobStatus().get(5, TimeUnit.SECONDS).name();
        } catch (Exception e) {
            state = "unknown";
        }
        if (report == null) {
            return String.format(
                    Locale.ROOT,
                    "job %s; %d shadow decisions, %d incumbent actions (%d unread); no report yet",
                    state,
                    decisions.records(),
                    incumbent.size(),
                    unread.size());
        }
        int vmresFirst = 0;
        int incumbentFirst = 0;
        for (ShadowReport.Incident i : report.incidents()) {
            for (ShadowReport.HostFigure h : i.declarations()) {
                if ("vmres".equals(h.first())) {
                    vmresFirst++;
                } else {
                    incumbentFirst++;
                }
            }
        }
        ShadowReport.Incident last =
                report.incidents().isEmpty()
                        ? null
                        : report.incidents().get(report.incidents().size() - 1);
        return String.format(
                Locale.ROOT,
                "job %s; %d incident%s, hosts declared first by vmres %d, by the incumbent %d;"
                        + " last recovery vmres %s, incumbent %s; %d incumbent actions (%d unread);"
                        + " %s",
                state,
                report.incidents().size(),
                report.incidents().size() == 1 ? "" : "s",
                vmresFirst,
                incumbentFirst,
                seconds(last == null ? null : last.vmresRecoveryS()),
                seconds(last == null ? null : last.incumbentRecoveryS()),
                incumbent.size(),
                unread.size(),
                config.reportDir().resolve("shadow-report.md"));
    }

    /** The latest report (null until there is one). */
    public synchronized ShadowReport.Report report() {
        return report;
    }

    /** The shadow job's client (its id and state). */
    public JobClient job() {
        return job;
    }

    private static String seconds(Double s) {
        return s == null ? "-" : String.format(Locale.ROOT, "%.1f s", s);
    }

    private void take(ConsumerRecord<byte[], byte[]> r) throws IOException {
        if (r.topic().equals(config.incumbentTopic())) {
            String text = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
            config.format().readRecord(text, incumbent, unread);
            return;
        }
        Object value;
        try {
            value = codec.decode(r.value());
        } catch (AvroCodec.BadRecordException e) {
            LOG.warn("not a vmres record on {}: {}", r.topic(), e.getMessage());
            return;
        }
        if (value instanceof Incident i) {
            decisions.incident(i);
        } else if (value instanceof Command c) {
            decisions.command(c);
        } else if (value instanceof CommandResult cr) {
            decisions.result(cr);
        }
    }

    private static void record(Recorder recorder) {
        try {
            recorder.run();
        } catch (IOException | RuntimeException e) {
            LOG.error("the recording of the shadow's inputs stopped", e);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(ShadowConfig c) {
        Map<String, Object> conf = new HashMap<>(c.kafkaProperties());
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap());
        // the shadow job writes in transactions: an aborted decision was never made
        conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        conf.put(ConsumerConfig.CLIENT_ID_CONFIG, c.groupId() + "-report");
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(conf, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String t :
                List.of(
                        c.shadowTopic(Topics.INCIDENTS),
                        c.shadowTopic(Topics.COMMANDS),
                        c.shadowTopic(Topics.COMMAND_RESULTS),
                        c.incumbentTopic())) {
            consumer.partitionsFor(t).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return consumer;
    }

    /**
     * The input topics must be there; the shadow topics and the incumbent's are created when
     * missing, with as many partitions as the production commands topic (or one).
     */
    static void topics(ShadowConfig c)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> props = new HashMap<>(c.kafkaProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, c.groupId() + "-setup");
        try (Admin admin = Admin.create(props)) {
            Set<String> there = admin.listTopics().names().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
            List<String> missing = Topics.INPUTS.stream().filter(t -> !there.contains(t)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalStateException(
                        "the Kafka at "
                                + c.bootstrap()
                                + " lacks "
                                + String.join(", ", missing)
                                + ": the shadow reads the production inputs");
            }
            int partitions = 1;
            short replication = 1;
            if (there.contains(Topics.COMMANDS)) {
                TopicDescription d =
                        admin.describeTopics(List.of(Topics.COMMANDS))
                                .allTopicNames()
                                .get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS)
                                .get(Topics.COMMANDS);
                partitions = d.partitions().size();
                replication = (short) d.partitions().get(0).replicas().size();
            }
            List<NewTopic> wanted = new ArrayList<>();
            for (String t : ShadowJob.OUTPUTS) {
                wanted.add(new NewTopic(c.shadowTopic(t), partitions, replication));
            }
            wanted.add(new NewTopic(c.incumbentTopic(), 1, replication));
            for (var e : admin.createTopics(wanted).values().entrySet()) {
                try {
                    e.getValue().get(ADMIN_TIMEOUT_S, TimeUnit.SECONDS);
                } catch (ExecutionException x) {
                    if (!(x.getCause() instanceof TopicExistsException)) {
                        throw x;
                    }
                }
            }
        }
    }

    /** Stops the recording, writes the report a last time, then stops the job and the reading. */
    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            AutoCloseable r = started.get(i);
            if (r instanceof Recorder) {
                try {
                    r.close();
                    if (consumer != null) {
                        update();
                    }
                } catch (Exception e) {
                    LOG.warn("the last shadow report could not be written", e);
                }
            }
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            AutoCloseable r = started.get(i);
            if (!(r instanceof Recorder)) {
                try {
                    r.close();
                } catch (Exception e) {
                    LOG.warn("stopping {} failed", r, e);
                }
            }
        }
        started.clear();
    }
}
