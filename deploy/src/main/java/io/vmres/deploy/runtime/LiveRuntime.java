package io.vmres.deploy.runtime;

import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.connector.runtime.MetricsServer;
import io.vmres.connector.runtime.PrometheusText;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.connector.sim.TelemetryPublisher;
import io.vmres.engine.Settings;
import io.vmres.job.VmresJob;
import io.vmres.job.live.LiveJob;
import io.vmres.job.live.LiveOptions;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.sign.KeysFile;
import io.vmres.schema.sign.RecordSigning;
import io.vmres.schema.sign.SigningKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded runtime in one process: a real Kafka broker, the vmres job on a Flink MiniCluster, a
 * simulated fleet publishing its telemetry, and a connector running the job's commands against that
 * fleet. What the demo runs, and what the end-to-end tests run. On a secure broker each part is a
 * principal of its own: the job, the connector, the fleet's telemetry (the simulated fleet).
 */
public final class LiveRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRuntime.class);

    /**
     * The embedded job's checkpoint interval: a command is visible to the connector (read
     * committed) when the checkpoint after it completes, so each command hop waits half of it on
     * average (docs/job.md, "What each hop costs"). While the job reads the backlog it started
     * with, checkpoints come every {@code VmresJob.CATCH_UP_CHECKPOINT_INTERVAL} instead.
     */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMillis(100);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final EmbeddedKafka kafka;
    private final String bootstrap;
    private final SimulatedFleet fleet;
    private final SimulatedHypervisor hypervisor;
    private volatile JobClient job;
    private final StreamExecutionEnvironment env;
    private final LiveOptions options;
    private final boolean resultsOnArrival;
    private final TelemetryPublisher telemetry;
    private final MetricsServer connectorMetrics;

    private LiveRuntime(Builder b) throws Exception {
        try {
            kafka =
                    b.kafka != null || b.bootstrap != null
                            ? b.kafka
                            : push(EmbeddedKafka.builder().start());
            bootstrap = b.bootstrap != null ? b.bootstrap : kafka.bootstrapServers();
            fleet = b.fleet;
            hypervisor =
                    b.hypervisor != null
                            ? b.hypervisor
                            : SimulatedHypervisor.builder(fleet).seed(b.seed).build();

            Producer<byte[], byte[]> producer = producer(endpoint(KafkaSecurity.Role.SIM_FLEET));
            push(producer);
            telemetry = fleet.telemetry(producer);
            push(telemetry);
            if (!b.fleetFirst.isZero()) {
                // the job starts over what the fleet has written meanwhile
                telemetry.start();
                Thread.sleep(b.fleetFirst.toMillis());
            }

            Configuration conf = VmresJob.jobConfiguration(b.checkpointInterval);
            conf.addAll(b.flinkConfiguration);
            if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
                // In files, not in the JobManager's memory: a checkpoint held in memory may hold
                // at most 5 MB of one operator's state, less than one engine of 10,000 hosts.
                Path checkpoints = Files.createTempDirectory("vmres-checkpoints-");
                push(() -> EmbeddedKafka.deleteRecursively(checkpoints));
                conf.set(
                        CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            }
            if (b.environment != null) {
                env = b.environment;
                env.configure(conf);
                env.setParallelism(b.parallelism);
            } else {
                conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
                conf.set(RestOptions.PORT, b.flinkUiPort);
                conf.set(TaskManagerOptions.NUM_TASK_SLOTS, b.parallelism);
                env = StreamExecutionEnvironment.createLocalEnvironment(b.parallelism, conf);
            }
            // Signed both ways, with keys made for this run unless given: nothing to set up, and
            // the demo runs as production does.
            Path keys = b.signingKeys != null ? b.signingKeys : generatedKeys();
            options =
                    LiveOptions.defaults(bootstrap)
                            .withSettings(b.settings)
                            .withExactlyOnce(true)
                            .withKafkaProperties(endpoint(KafkaSecurity.Role.JOB).properties())
                            .withSigningKeys(keys.toString())
                            .withAppendTimeMargin(b.appendTimeMargin);
            resultsOnArrival = b.resultsOnArrival;
            LiveJob.build(env, options, resultsOnArrival);
            job = env.executeAsync("vmres");
            push(() -> JobStop.cancel(this.job));
            LOG.info("vmres job {} submitted", job.getJobID());

            ConnectorService connector =
                    new ConnectorService(
                            endpoint(KafkaSecurity.Role.ADMIN),
                            hypervisor,
                            ConnectorOptions.builder()
                                    .signing(new RecordSigning(KeysFile.open(keys)))
                                    .build());
            push(connector);
            connector.start();
            connectorMetrics =
                    b.connectorMetricsPort < 0
                            ? null
                            : push(
                                    MetricsServer.start(
                                            new InetSocketAddress(
                                                    "127.0.0.1", b.connectorMetricsPort),
                                            () -> PrometheusText.of(connector)));

            if (b.fleetFirst.isZero()) {
                telemetry.start();
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** A keys file for this run only (a key that signs commands, one that signs results). */
    private Path generatedKeys() throws IOException {
        Path dir = Files.createTempDirectory("vmres-keys");
        Path file = SigningKeys.write(SigningKeys.generateForOneMachine(), dir.resolve("keys"));
        push(
                () -> {
                    Files.deleteIfExists(file);
                    Files.deleteIfExists(dir);
                });
        return file;
    }

    public static Builder builder(SimulatedFleet fleet) {
        return new Builder(fleet);
    }

    /**
     * The client settings of {@code role}: its user on a secure embedded broker; plain otherwise.
     */
    private KafkaEndpoint endpoint(KafkaSecurity.Role role) {
        return kafka != null ? kafka.endpoint(role) : KafkaEndpoint.of(bootstrap);
    }

    /** The embedded broker; null when the runtime uses brokers of its own ({@code bootstrap}). */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** The brokers the runtime uses, embedded or not, with an administrator's settings. */
    public KafkaEndpoint kafkaEndpoint() {
        return endpoint(KafkaSecurity.Role.ADMIN);
    }

    public SimulatedFleet fleet() {
        return fleet;
    }

    public SimulatedHypervisor hypervisor() {
        return hypervisor;
    }

    public JobClient job() {
        return job;
    }

    /**
     * Stops the job with a savepoint in {@code dir} and starts it again from there, as an upgrade
     * of the job would; the broker, the fleet and its connector go on meanwhile.
     *
     * @return the savepoint's path
     */
    public synchronized String restartJobFromSavepoint(Path dir) throws Exception {
        String savepoint =
                job.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        env.configure(restore);
        LiveJob.build(env, options, resultsOnArrival);
        job = env.executeAsync("vmres");
        LOG.info("vmres job {} started from {}", job.getJobID(), savepoint);
        return savepoint;
    }

    /** The port of the connector's {@code /metrics}, if it was asked for. */
    public OptionalInt connectorMetricsPort() {
        return connectorMetrics == null
                ? OptionalInt.empty()
                : OptionalInt.of(connectorMetrics.port());
    }

    public TelemetryPublisher telemetry() {
        return telemetry;
    }

    /** A producer of raw bytes, for telemetry and requests. */
    public static Producer<byte[], byte[]> producer(String bootstrap) {
        return producer(KafkaEndpoint.of(bootstrap));
    }

    /** A producer of raw bytes on {@code kafka}, for telemetry and requests. */
    public static Producer<byte[], byte[]> producer(KafkaEndpoint kafka) {
        return new KafkaProducer<>(
                kafka.client(
                        Map.of(
                                ProducerConfig.LINGER_MS_CONFIG,
                                5,
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                true,
                                // One batch in flight per partition: right after a broker starts, a
                                // first
                                // batch refused with NOT_LEADER_OR_FOLLOWER must not be overtaken
                                // by the
                                // next one, which the new leader would accept first and then refuse
                                // the
                                // retried batch for ever as out of order.
                                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                                1)),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private <T extends AutoCloseable> T push(T resource) {
        started.push(resource);
        return resource;
    }

    /** Stops everything it started, newest first: telemetry, connector, job, broker. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable r = started.pop();
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", r, e);
            }
        }
    }

    /** Options of the runtime. */
    public static final class Builder {
        private final SimulatedFleet fleet;
        private EmbeddedKafka kafka;
        private String bootstrap;
        private SimulatedHypervisor hypervisor;
        private Settings settings = Settings.DEFAULTS;
        private int parallelism = 2;
        private int flinkUiPort = 0;
        private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
        private boolean resultsOnArrival = true;
        private long seed = 1;
        private StreamExecutionEnvironment environment;
        private final Configuration flinkConfiguration = new Configuration();
        private int connectorMetricsPort = -1;
        private Path signingKeys;
        private Duration fleetFirst = Duration.ZERO;
        private Duration appendTimeMargin = LiveOptions.APPEND_TIME_MARGIN;

        private Builder(SimulatedFleet fleet) {
            this.fleet = fleet;
        }

        /** A broker the caller owns (and closes); by default the runtime starts its own. */
        /**
         * A Kafka of the caller's (several brokers, say), its topics already there; the runtime
         * starts no broker of its own. {@link #kafka()} is then null.
         */
        public Builder bootstrapServers(String bootstrap) {
            this.bootstrap = bootstrap;
            return this;
        }

        public Builder kafka(EmbeddedKafka kafka) {
            this.kafka = kafka;
            return this;
        }

        public Builder hypervisor(SimulatedHypervisor hypervisor) {
            this.hypervisor = hypervisor;
            return this;
        }

        public Builder settings(Settings settings) {
            this.settings = settings;
            return this;
        }

        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** The port of Flink's web UI; 0 picks a free one. */
        public Builder flinkUiPort(int port) {
            this.flinkUiPort = port;
            return this;
        }

        /**
         * Flink settings added to the job's (metric reporters, for one); on a local environment
         * they are the MiniCluster's too.
         */
        public Builder flinkConfiguration(Configuration conf) {
            this.flinkConfiguration.addAll(conf);
            return this;
        }

        /** Serves the connector's metrics on 127.0.0.1 at this port (0: a free one). */
        public Builder connectorMetricsPort(int port) {
            this.connectorMetricsPort = port;
            return this;
        }

        /**
         * How often the job checkpoints (default {@link #DEFAULT_CHECKPOINT_INTERVAL}): its
         * commands reach the connector when the checkpoint after them completes.
         */
        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        /**
         * Whether the job applies a connector's result as it arrives (the default), or holds it
         * until the watermark passes its ts, as before (for {@code vmres bench live}'s baseline).
         */
        public Builder resultsOnArrival(boolean onArrival) {
            this.resultsOnArrival = onArrival;
            return this;
        }

        /**
         * The job's event time trails the brokers' append time by maxClockSkew + {@code margin}
         * (default {@link LiveOptions#APPEND_TIME_MARGIN}); null: the events' own time by
         * outOfOrderness, as before (for {@code vmres bench live}'s baseline).
         */
        public Builder appendTimeMargin(Duration margin) {
            this.appendTimeMargin = margin;
            return this;
        }

        /**
         * Runs the job on this environment (a test's MiniCluster) instead of a local one of its
         * own.
         */
        public Builder environment(StreamExecutionEnvironment environment) {
            this.environment = environment;
            return this;
        }

        /**
         * The keys file of the job and the connector (docs/security.md); by default one is made for
         * the run and removed at close.
         */
        public Builder signingKeys(Path file) {
            this.signingKeys = file;
            return this;
        }

        /**
         * Starts the fleet's telemetry this long before the job, which then starts over a backlog
         * (by default the job first, then the fleet).
         */
        public Builder fleetFirst(Duration lead) {
            this.fleetFirst = lead;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public LiveRuntime start() throws Exception {
            return new LiveRuntime(this);
        }
    }
}
