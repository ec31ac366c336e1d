package io.vmres.deploy.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.engine.ClockRule;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.recording.EventParser;
import io.vmres.engine.recording.RecordingReader;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import io.vmres.schema.recording.RecordingLine;
import io.vmres.schema.recording.RecordingWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vmres record}: the events on the input topics of a running Kafka, written as a recording
 * that {@code vmres replay} reads back.
 *
 * <pre>{@code
 * Recorder.Result r =
 *     Recorder.builder("127.0.0.1:9092", Path.of("incident.jsonl.gz"))
 *         .duration(Duration.ofMinutes(10))
 *         .build()
 *         .run();
 * }</pre>
 *
 * <p>It reads committed records only, from the earliest offset (or from the end), decodes each with
 * {@link AvroCodec} and writes it as one line in the spec's JSON form after a {@code meta} line. A
 * record that does not decode, or whose line the spec would reject, is counted with its reason and
 * left out, so that the recording replays without dead letters.
 */
public final class Recorder implements AutoCloseable {
    private static final ClockRule CLOCKS = new ClockRule(Settings.DEFAULTS.maxClockSkewMs());

    private static final Logger LOG = LoggerFactory.getLogger(Recorder.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    /** What a recording holds: lines written after the meta, and records left out by reason. */
    public record Result(Path file, long lines, Map<String, Long> skipped) {
        public long skippedTotal() {
            return skipped.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final KafkaEndpoint kafka;
    private final String bootstrap;
    private final Path file;
    private final Duration duration;
    private final boolean fromNow;
    private final boolean untilEnd;
    private final Duration progressEvery;
    private final PrintStream out;
    private final Clock clock;
    private final int maxHeld;
    private final Map<String, String> kafkaProperties;
    private final Writer target;

    private final AvroCodec codec = new AvroCodec();
    private final Map<String, Long> skipped = new LinkedHashMap<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean running;
    private volatile long lines; // written by the recording thread only; read by others
    private long latestTs = Long.MIN_VALUE;

    private Recorder(Builder b) {
        this.kafka = b.kafka;
        this.bootstrap = b.kafka.bootstrap();
        this.file = b.file;
        this.duration = b.duration;
        this.fromNow = b.fromNow;
        this.untilEnd = b.untilEnd;
        this.progressEvery = b.progressEvery;
        this.out = b.out;
        this.clock = b.clock;
        this.maxHeld = b.maxHeld;
        this.kafkaProperties = b.kafkaProperties;
        this.target = b.target;
    }

    /** A recorder of the input topics of the Kafka at {@code bootstrap} into {@code file}. */
    public static Builder builder(String bootstrap, Path file) {
        return new Builder(KafkaEndpoint.of(bootstrap), file);
    }

    /** A recorder of the input topics of {@code kafka} into {@code file}. */
    public static Builder builder(KafkaEndpoint kafka, Path file) {
        return new Builder(kafka, file);
    }

    /**
     * Records until the duration is over, {@link #close()} is called (Ctrl-C), or, with {@code
     * untilEnd}, the records there were at the start are written; then closes the file.
     *
     * @throws IllegalStateException when no input topic is found on the broker
     */
    public Result run() throws IOException {
        if (stopping) {
            throw new IllegalStateException("closed before it ran");
        }
        running = true;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions;
            Map<TopicPartition, Long> stopAt;
            try {
                partitions = partitions(consumer);
                consumer.assign(partitions);
                if (fromNow) {
                    consumer.seekToEnd(partitions);
                } else {
                    consumer.seekToBeginning(partitions);
                }
                // read_committed: the end offsets are the last stable offsets, what can be read now
                stopAt = untilEnd ? consumer.endOffsets(partitions) : Map.of();
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw new IllegalStateException(
                        "cannot reach Kafka at " + bootstrap + ": " + e.getMessage(), e);
            }
            // The file is opened only once the broker answered: a failed start leaves no file.
            try (RecordingWriter writer = new RecordingWriter(writer())) {
                long startMs = clock.millis();
                write(writer, RecordingLine.meta(name(file), description(startMs)));
                out.printf(
                        Locale.ROOT,
                        "Recording %s from %s into %s%s.%n",
                        String.join(", ", Topics.INPUTS),
                        bootstrap,
                        file,
                        duration == null
                                ? (untilEnd ? " up to their current end" : " until Ctrl-C")
                                : " for " + duration);
                record(consumer, writer, partitions, stopAt);
                writer.flush();
                Result result = new Result(file, lines, Map.copyOf(skipped));
                out.printf(
                        Locale.ROOT,
                        "Recorded %s into %s in %.1f s%s.%n",
                        Words.count(lines, "event"),
                        file,
                        (clock.millis() - startMs) / 1000.0,
                        skippedText());
                return result;
            }
        } finally {
            running = false;
            finished.countDown();
        }
    }

    private void record(
            KafkaConsumer<byte[], byte[]> consumer,
            RecordingWriter writer,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> stopAt)
            throws IOException {
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        long nextProgress = System.nanoTime() + progressEvery.toNanos();
        PartitionMerge<TopicPartition, ObjectNode> merge = new PartitionMerge<>(maxHeld);
        EndOffsets ends = new EndOffsets(consumer);
        while (!stopping && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                take(r, merge);
            }
            for (ObjectNode line : merge.release(ends.behind(partitions))) {
                write(writer, line);
            }
            if (System.nanoTime() >= nextProgress) {
                writer.flush(); // what is on the terminal is in the file
                out.printf(
                        Locale.ROOT,
                        "[%s] %d events%s%s%n",
                        Times.format(clock.millis()).substring(11, 19),
                        lines,
                        latestTs == Long.MIN_VALUE ? "" : ", up to " + Times.format(latestTs),
                        skippedText());
                nextProgress = System.nanoTime() + progressEvery.toNanos();
            }
            if (untilEnd && reached(consumer, stopAt)) {
                break;
            }
        }
        for (ObjectNode line : merge.drain()) {
            write(writer, line);
        }
    }

    private void take(
            ConsumerRecord<byte[], byte[]> r, PartitionMerge<TopicPartition, ObjectNode> merge) {
        SpecificRecord value;
        try {
            value = codec.decode(r.value());
        } catch (AvroCodec.BadRecordException e) {
            skip(r, "not a vmres record: " + e.getMessage());
            return;
        }
        if (RecordingLine.type(value).isEmpty()) {
            skip(r, value.getSchema().getName() + " is not an input event");
            return;
        }
        ObjectNode line;
        try {
            line = RecordingLine.of(value);
        } catch (IllegalArgumentException e) {
            skip(r, e.getMessage());
            return;
        }
        // The replay's own parser is the judge: a line it would dead-letter is left out here.
        if (EventParser.parse(line.toString(), 0) instanceof EventParser.Bad bad) {
            skip(r, bad.reason());
            return;
        }
        long ts = Times.parse(line.get("ts").asText());
        if (r.timestampType() == TimestampType.LOG_APPEND_TIME) {
            // the broker's append time is when the event reached the pipeline: its recvTs, which
            // stands for its ts when its source's clock is wrong (spec: Wrong clocks)
            line.put("recvTs", RecordingLine.timestamp(Instant.ofEpochMilli(r.timestamp())));
            ts = CLOCKS.effectiveTs(ts, r.timestamp());
        }
        // In event time as the pipeline applies it (a wrong clock's arrival time standing for it);
        // at one instant the inventory goes first: a host's record before its beats and readings.
        int rank = r.topic().equals(Topics.INVENTORY) ? 0 : 1;
        merge.add(new TopicPartition(r.topic(), r.partition()), ts, rank, line);
    }

    private void skip(ConsumerRecord<byte[], byte[]> r, String reason) {
        skipped.merge(reason, 1L, Long::sum);
        LOG.warn("left out {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
    }

    private void write(RecordingWriter writer, ObjectNode line) throws IOException {
        writer.line(line);
        if (!"meta".equals(line.get("type").asText())) {
            lines++;
            latestTs = Math.max(latestTs, Times.parse(line.get("ts").asText()));
        }
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> stopAt) {
        for (Map.Entry<TopicPartition, Long> e : stopAt.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private String skippedText() {
        if (skipped.isEmpty()) {
            return "";
        }
        List<String> reasons = new ArrayList<>();
        skipped.forEach((reason, n) -> reasons.add(n + " " + reason));
        long total = skipped.values().stream().mapToLong(Long::longValue).sum();
        return "; " + total + " records left out (" + String.join("; ", reasons) + ")";
    }

    private String description(long startMs) {
        return "Recorded by vmres record from the Kafka at "
                + bootstrap
                + " ("
                + String.join(", ", Topics.INPUTS)
                + (fromNow ? ", from " : ", from the earliest offsets; started ")
                + Times.format(startMs)
                + ")";
    }

    /** The recording's name: its file name without {@code .jsonl} (or {@code .gz}). */
    static String name(Path file) {
        String name = RecordingReader.nameFromFile(file.getFileName().toString());
        return name.isBlank() ? "recording" : name;
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> all = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, List<PartitionInfo>> topics = consumer.listTopics();
        for (String topic : Topics.INPUTS) {
            List<PartitionInfo> infos = topics.get(topic);
            if (infos == null || infos.isEmpty()) {
                missing.add(topic);
                continue;
            }
            for (PartitionInfo p : infos) {
                all.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        if (all.isEmpty()) {
            throw new IllegalStateException(
                    "the Kafka at "
                            + bootstrap
                            + " has none of the vmres input topics "
                            + Topics.INPUTS);
        }
        if (!missing.isEmpty()) {
            out.println("Not on this Kafka, so not recorded: " + String.join(", ", missing));
        }
        return all;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        // properties given to the builder (a shadow's config) over those of the endpoint's file
        Map<String, Object> conf = new HashMap<>(kafkaProperties);
        // the job's inputs may be written in transactions: an aborted record never happened
        conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        conf.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        conf.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        conf.put(ConsumerConfig.CLIENT_ID_CONFIG, "vmres-record");
        // an unreachable broker is told in seconds, not after the default minute
        conf.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        conf.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return new KafkaConsumer<>(
                kafka.client(conf), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Writer writer() throws IOException {
        if (target != null) {
            return target;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream os = Files.newOutputStream(file);
        try {
            if (file.getFileName().toString().endsWith(".gz")) {
                os =
                        new GZIPOutputStream(
                                os, 1 << 16, true); // sync flush: a progress flush is readable
            }
        } catch (IOException e) {
            os.close();
            throw e;
        }
        return new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
    }

    /** Events written so far (the meta line is none). */
    public long written() {
        return lines;
    }

    /**
     * Stops recording: the records read so far are written and the file is closed before this
     * returns (bounded), so that Ctrl-C leaves a complete recording.
     */
    @Override
    public void close() {
        stopping = true;
        if (running) {
            try {
                if (!finished.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("the recording of {} did not finish within {}", file, CLOSE_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted while the recording of {} was finishing", file, e);
            }
        }
    }

    @Override
    public String toString() {
        return "recorder of " + bootstrap + " into " + file;
    }

    /** Which partitions still have records to read, from the consumer's lag or the end offsets. */
    private static final class EndOffsets {
        private static final long REFRESH_NANOS = Duration.ofMillis(500).toNanos();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<TopicPartition, Long> ends = new HashMap<>();
        private long refreshedAt = System.nanoTime() - REFRESH_NANOS;

        EndOffsets(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        List<TopicPartition> behind(List<TopicPartition> partitions) {
            List<TopicPartition> unknown = new ArrayList<>();
            List<TopicPartition> behind = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                OptionalLong lag = consumer.currentLag(tp);
                if (lag.isPresent()) {
                    if (lag.getAsLong() > 0) {
                        behind.add(tp);
                    }
                } else {
                    unknown.add(tp);
                }
            }
            if (!unknown.isEmpty() && System.nanoTime() - refreshedAt >= REFRESH_NANOS) {
                // before its first fetch a partition's lag is not known locally: ask the broker
                ends.putAll(consumer.endOffsets(unknown));
                refreshedAt = System.nanoTime();
            }
            for (TopicPartition tp : unknown) {
                Long end = ends.get(tp);
                if (end == null || consumer.position(tp) < end) {
                    behind.add(tp);
                }
            }
            return behind;
        }
    }

    /** Options of a recording; every setter checks its value. */
    public static final class Builder {
        private final KafkaEndpoint kafka;
        private final Path file;
        private Duration duration;
        private boolean fromNow;
        private boolean untilEnd;
        private Duration progressEvery = Duration.ofSeconds(5);
        private PrintStream out = System.out;
        private Clock clock = Clock.systemUTC();
        private int maxHeld = 1_000_000;
        private Map<String, String> kafkaProperties = Map.of();
        private Writer target;

        private Builder(KafkaEndpoint kafka, Path file) {
            this.kafka = Objects.requireNonNull(kafka, "kafka");
            this.file = Objects.requireNonNull(file, "file");
        }

        /** How long to record; by default until {@link Recorder#close()}. */
        public Builder duration(Duration duration) {
            if (duration != null && (duration.isZero() || duration.isNegative())) {
                throw new IllegalArgumentException(
                        "duration must be longer than zero, was " + duration);
            }
            this.duration = duration;
            return this;
        }

        /** Starts at the end of the topics (what comes from now on) instead of their beginning. */
        public Builder fromNow(boolean fromNow) {
            this.fromNow = fromNow;
            return this;
        }

        /** Stops once the records that were on the topics at the start are written. */
        public Builder untilEnd(boolean untilEnd) {
            this.untilEnd = untilEnd;
            return this;
        }

        /** Where progress and the final count go (stdout by default), and how often progress. */
        public Builder progress(PrintStream out, Duration every) {
            if (every.isZero() || every.isNegative()) {
                throw new IllegalArgumentException("progress interval must be longer than zero");
            }
            this.out = Objects.requireNonNull(out, "out");
            this.progressEvery = every;
            return this;
        }

        /** The clock of the meta description and the progress lines. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Records held at most to put partitions back in time order (default a million). */
        public Builder maxHeld(int maxHeld) {
            if (maxHeld < 1) {
                throw new IllegalArgumentException("maxHeld must be at least 1, was " + maxHeld);
            }
            this.maxHeld = maxHeld;
            return this;
        }

        /** Kafka client properties (security, timeouts) under those the recording needs. */
        public Builder kafkaProperties(Map<String, String> kafkaProperties) {
            this.kafkaProperties = Map.copyOf(kafkaProperties);
            return this;
        }

        /**
         * Writes the recording to {@code target} instead of the file (which then only names it),
         * flushed at each progress line: for a reader that follows it as it is written.
         */
        public Builder writeTo(Writer target) {
            this.target = Objects.requireNonNull(target, "target");
            return this;
        }

        public Recorder build() {
            return new Recorder(this);
        }
    }
}
