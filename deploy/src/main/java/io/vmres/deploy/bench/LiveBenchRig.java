package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.TelemetryPublisher;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.JobStop;
import io.vmres.job.VmresJob;
import io.vmres.job.live.LiveJob;
import io.vmres.job.live.LiveOptions;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import io.vmres.schema.sign.SigningKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real broker with vmres's topics, a simulated fleet whose telemetry is written into them ahead
 * of the job (its clock stepped one heartbeat interval a round, so that a minute of telemetry takes
 * no minute to write), and jobs run on a local MiniCluster of their own against those topics, their
 * progress read from Flink's REST API. What {@code bench ingest} and {@code bench state} share.
 */
final class LiveBenchRig implements AutoCloseable {
    /** Which job a run starts. */
    enum Job {
        LIVE,
        PASSTHROUGH
    }

    /**
     * One job's run over the prefilled topics: {@code seconds} until its source had emitted every
     * record; {@code decidedSeconds} until, besides, the last record the reading released reached
     * the engines (the live job over a backlog, without checkpoint statistics asked for: the
     * routing holds input until event time passes it, and event time waits until the backlog is
     * read; else as {@code seconds}); {@code cpuSeconds} the process's CPU time over {@code
     * decidedSeconds} (the broker's share included: it serves both jobs alike).
     */
    record Run(
            Job job,
            long events,
            double seconds,
            double eventsPerS,
            double decidedSeconds,
            double cpuSeconds,
            Optional<JsonNode> checkpoints,
            long heapBeforeBytes,
            long heapAfterBytes) {

        /** Records over the time until the engines had them. */
        double decidedEventsPerS() {
            return events / decidedSeconds;
        }

        /** Records per second of the process's CPU time. */
        double eventsPerCpuS() {
            return events / cpuSeconds;
        }
    }

    /** The live job's operator that takes the routed input: where its records are counted in. */
    static final String ENGINES = "decide";

    /**
     * How long the counts must stay still while the engines have had no input at all: the routing
     * can take seconds over what the source sent ahead before event time moves; a run too short for
     * event time to pass anything (a few rounds) releases nothing.
     */
    static final Duration UNRELEASED_QUIET = Duration.ofSeconds(15);

    /** The live job's routing by host: it holds input until event time passes it. */
    static final String ROUTING = "route by host";

    /** How long the engines' input count must stay still before the run counts as decided. */
    static final Duration DECIDED_QUIET = Duration.ofSeconds(3);

    private final EmbeddedKafka kafka;
    private final Path keys;
    private final Path checkpointDir;
    private final int parallelism;
    private final SimulatedFleet fleet;
    private final SteppingClock clock;
    private final Duration interval;
    private long produced;
    private int runs;

    LiveBenchRig(SimulatedFleet.Builder fleet, Duration interval, int parallelism)
            throws Exception {
        this.parallelism = parallelism;
        this.interval = interval;
        this.clock =
                new SteppingClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        this.fleet = fleet.clock(clock).heartbeatInterval(interval).build();
        // producer timestamps kept: the stepped clock runs ahead of the broker's, and on
        // append-time topics the job would take every such record as a clock skew
        this.kafka = EmbeddedKafka.builder().appendTimeOnInputs(false).start();
        try (Admin admin =
                Admin.create(KafkaEndpoint.of(kafka.bootstrapServers()).client(Map.of()))) {
            admin.createTopics(List.of(new NewTopic(Passthrough.OUTPUT, 4, (short) 1))).all().get();
        }
        this.checkpointDir = Files.createTempDirectory("vmres-bench-checkpoints");
        Path dir = Files.createTempDirectory("vmres-bench-keys");
        this.keys = SigningKeys.write(SigningKeys.generateForOneMachine(), dir.resolve("keys"));
    }

    SimulatedFleet fleet() {
        return fleet;
    }

    /** Records written to the input topics so far. */
    long produced() {
        return produced;
    }

    /**
     * Writes the inventory (once) and {@code rounds} rounds of telemetry; returns the records.
     *
     * @throws IllegalStateException if the broker did not take every record
     */
    long prefill(int rounds, boolean inventory, BenchProgress progress) {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        KafkaEndpoint.of(kafka.bootstrapServers())
                                .client(
                                        Map.of(
                                                ProducerConfig.LINGER_MS_CONFIG,
                                                20,
                                                ProducerConfig.BATCH_SIZE_CONFIG,
                                                262_144,
                                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                                true)),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            TelemetryPublisher telemetry = fleet.telemetry(producer);
            try {
                if (inventory) {
                    telemetry.publishInventory();
                }
                for (int i = 0; i < rounds; i++) {
                    telemetry.tick();
                    clock.step(interval);
                    if (progress != null) {
                        progress.show(
                                String.format(
                                        Locale.ROOT,
                                        "%,d records written, round %d of %d",
                                        telemetry.published(),
                                        i + 1,
                                        rounds));
                    }
                }
            } finally {
                telemetry.close(); // flushes
            }
            if (telemetry.lost() > 0) {
                // the job would wait for records that were never written, and the rate count them
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "the broker did not take %,d of the %,d records written (the"
                                        + " first: %s); the run cannot count on them: run the"
                                        + " bench again",
                                telemetry.lost(),
                                telemetry.published(),
                                telemetry.firstLoss()));
            }
            produced += telemetry.published();
            return telemetry.published();
        }
    }

    /**
     * Runs {@code job} from the topics' start until its source has emitted {@code expected} records
     * (or {@code timeout} passes); with {@code checkpoints} &gt; 0, then waits for that many
     * checkpoints begun after the last record and returns their statistics, and the heap used
     * before the job read anything and after.
     */
    Run run(Job job, long expected, Duration timeout, int checkpoints, BenchProgress progress)
            throws Exception {
        return run(job, expected, null, timeout, checkpoints, progress);
    }

    /**
     * As {@link #run(Job, long, Duration, int, BenchProgress)}; with {@code feed}, the topics are
     * filled only once the job runs and its source reports (the heap before is taken then, the job
     * and its MiniCluster started), and {@code feed} says how many records it wrote.
     */
    Run run(
            Job job,
            long expectedIfFed,
            java.util.concurrent.Callable<Long> feed,
            Duration timeout,
            int checkpoints,
            BenchProgress progress)
            throws Exception {
        long expected = feed == null ? expectedIfFed : Long.MAX_VALUE;
        int n = ++runs;
        int port = freePort();
        // the live job's source tells Flink it reads a backlog, and Flink checkpoints it every
        // CATCH_UP_CHECKPOINT_INTERVAL meanwhile; the passthrough's Kafka source tells nothing: it
        // gets that interval outright, as both read nothing but a backlog here
        Configuration conf =
                VmresJob.jobConfiguration(
                        job == Job.LIVE
                                ? Duration.ofSeconds(1)
                                : VmresJob.CATCH_UP_CHECKPOINT_INTERVAL);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, port);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        // checkpoints to files, as a deployed job's: the job manager's memory takes at most 5 MB
        // a state handle, less than one engine's state of 10,000 hosts
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                Files.createDirectories(checkpointDir.resolve("run-" + n)).toUri().toString());
        // the REST API's metrics are 10 s old by default: too coarse to time a run by
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(100));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        String id = "vmres-bench-" + job.name().toLowerCase(Locale.ROOT) + "-" + n;
        if (job == Job.LIVE) {
            LiveJob.build(
                    env,
                    LiveOptions.defaults(kafka.bootstrapServers())
                            .withExactlyOnce(true)
                            .withSigningKeys(keys.toString())
                            .withGroupId(id)
                            .withTransactionalIdPrefix(id));
        } else {
            List<String> topics = new ArrayList<>(Topics.INPUTS);
            topics.add(Topics.COMMAND_RESULTS);
            Passthrough.build(env, kafka.bootstrapServers(), topics, id, id, true);
        }
        long heapBefore = heapUsed();
        long submitNanos = System.nanoTime();
        long submitCpuNanos = processCpuNanos();
        JobClient client = env.executeAsync(id);
        try {
            FlinkRest rest = new FlinkRest(port, client.getJobID());
            long deadline = System.nanoTime() + timeout.toNanos();
            // the run's time: from the last reading of no record read (the job runs, its source
            // reports) to the first reading of every record read
            long zeroNanos = 0;
            long zeroCpuNanos = 0;
            long firstCount = -1;
            long firstNanos = 0;
            long count = 0;
            long doneNanos = 0;
            while (System.nanoTime() < deadline) {
                Optional<Long> c = readQuietly(rest);
                long now = System.nanoTime();
                if (c.isPresent()) {
                    if (c.get() < count) {
                        if (rest.failures() > 0) {
                            // a restart reads again from the last checkpoint: this run's time
                            // says nothing of the job's rate
                            throw new Restarted(job, count, c.get());
                        }
                        // no failure: a reading of the subtasks' counters at different ages
                        Thread.sleep(50);
                        continue;
                    }
                    count = c.get();
                    if (count == 0) {
                        zeroNanos = now;
                        zeroCpuNanos = processCpuNanos();
                        if (expected == Long.MAX_VALUE) {
                            heapBefore = heapUsed();
                            expected = feed.call();
                            continue;
                        }
                    } else if (firstCount < 0) {
                        firstCount = count;
                        firstNanos = now;
                    }
                    if (count >= expected) {
                        doneNanos = now;
                        break;
                    }
                }
                progress.show(
                        String.format(
                                Locale.ROOT,
                                "%s job, %,d of %,d records read",
                                job.name().toLowerCase(Locale.ROOT),
                                count,
                                expected));
                Thread.sleep(50);
            }
            if (doneNanos == 0) {
                throw new IOException(
                        String.format(
                                Locale.ROOT,
                                "the %s job read %,d of %,d records within %s",
                                job,
                                count,
                                expected,
                                timeout));
            }
            if (zeroNanos == 0) {
                // no reading before the first records: time from the submission, start included
                // (a rate too low, not none)
                zeroNanos = submitNanos;
                zeroCpuNanos = submitCpuNanos;
            }
            long[] decided = {doneNanos, processCpuNanos()};
            if (job == Job.LIVE && checkpoints == 0) {
                // (bench state feeds the topics once the job runs: no backlog is held there)
                decided = decided(rest, deadline, progress);
            }
            firstCount = 0;
            double seconds = Math.max(1e-3, (doneNanos - zeroNanos) / 1e9);
            double rate = (expected - firstCount) / seconds;
            Optional<JsonNode> stats = Optional.empty();
            long heapAfter = -1;
            if (checkpoints > 0) {
                stats =
                        Optional.of(
                                checkpointsAfter(
                                        rest, System.currentTimeMillis(), checkpoints, progress));
                heapAfter = heapUsed();
            }
            return new Run(
                    job,
                    count,
                    seconds,
                    rate,
                    Math.max(seconds, (decided[0] - zeroNanos) / 1e9),
                    Math.max(1e-3, (decided[1] - zeroCpuNanos) / 1e9),
                    stats,
                    heapBefore,
                    heapAfter);
        } finally {
            JobStop.cancel(client);
        }
    }

    /**
     * After the source has emitted every record: the wall-clock and process CPU time (nanoseconds)
     * of the last reading at which the engines' input count grew, once neither their count nor the
     * host routing's ({@link #ROUTING}, still taking what the source sent ahead) has moved for
     * {@link #DECIDED_QUIET} (for {@link #UNRELEASED_QUIET} while the engines have had none).
     */
    private static long[] decided(FlinkRest rest, long deadline, BenchProgress progress)
            throws Exception {
        long engines = -1;
        long routing = -1;
        long[] at = {System.nanoTime(), processCpuNanos()};
        long moved = System.nanoTime();
        while (System.nanoTime() < deadline
                && System.nanoTime() - moved
                        < (engines > 0 ? DECIDED_QUIET : UNRELEASED_QUIET).toNanos()) {
            long e;
            long r;
            try {
                long[] in = rest.vertexRecordsIn(ENGINES, ROUTING);
                e = in[0];
                r = in[1];
            } catch (IOException x) {
                Thread.sleep(50);
                continue;
            }
            long now = System.nanoTime();
            if (e > engines) {
                at = new long[] {now, processCpuNanos()};
            }
            if (e != engines || r != routing) {
                moved = now;
            }
            engines = e;
            routing = r;
            progress.show(
                    String.format(
                            Locale.ROOT,
                            "live job, every record read; %,d records into the engines",
                            engines));
            Thread.sleep(50);
        }
        return at;
    }

    /** CPU time of this process (the jobs, their MiniClusters and the broker), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Waits for {@code n} checkpoints triggered after {@code afterMillis}; their history. */
    private static JsonNode checkpointsAfter(
            FlinkRest rest, long afterMillis, int n, BenchProgress progress) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode all = rest.checkpoints();
            int done = 0;
            for (JsonNode c : all.path("history")) {
                if ("COMPLETED".equals(c.path("status").asText())
                        && c.path("trigger_timestamp").asLong() > afterMillis) {
                    done++;
                }
            }
            if (done >= n) {
                return all;
            }
            progress.show(String.format(Locale.ROOT, "waiting for checkpoints, %d of %d", done, n));
            Thread.sleep(200);
        }
        throw new IOException("no " + n + " checkpoints completed within 3 minutes");
    }

    private static Optional<Long> readQuietly(FlinkRest rest) throws InterruptedException {
        try {
            return rest.sourceRecordsOut("inputs");
        } catch (IOException e) {
            return Optional.empty(); // the REST endpoint is not up yet
        }
    }

    /** Heap in use after a full collection (as near as System.gc() gets). */
    static long heapUsed() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        kafka.close();
        Files.deleteIfExists(keys);
        Files.deleteIfExists(keys.getParent());
        try (java.util.stream.Stream<Path> files = Files.walk(checkpointDir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The job restarted during a run (a loaded machine's broker fencing its producer, say). */
    static final class Restarted extends IOException {
        private static final long serialVersionUID = 1L;

        Restarted(Job job, long before, long after) {
            super(
                    String.format(
                            Locale.ROOT,
                            "the %s job restarted: its source's count fell from %,d to %,d",
                            job,
                            before,
                            after));
        }
    }

    /** A clock the rig moves by hand: one heartbeat interval a round. */
    private static final class SteppingClock extends Clock {
        private final AtomicLong millis;

        SteppingClock(Instant start) {
            this.millis = new AtomicLong(start.toEpochMilli());
        }

        void step(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the bench's clock is UTC");
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis());
        }
    }
}
