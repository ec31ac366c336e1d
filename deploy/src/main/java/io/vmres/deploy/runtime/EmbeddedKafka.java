package io.vmres.deploy.runtime;

import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM, on
 * loopback, with every vmres topic created: the message bus of the embedded runtime.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().partitions(4).start()) {
 *   props.put("bootstrap.servers", kafka.bootstrapServers());
 *   ...
 * }
 * }</pre>
 *
 * <p>It runs {@link KafkaRaftServer}, the class behind Kafka's own {@code kafka-server-start.sh},
 * not the test kit ({@code KafkaClusterTestKit}): the test kit is a test artifact that enables
 * unstable features, replaces the fault handlers and cannot reopen a kept data folder, while this
 * is the code path of a production broker, so what vmres runs on a laptop is what it runs against
 * in a data center. Storage is formatted with Kafka's {@link Formatter}, as {@code kafka-storage.sh
 * format} does.
 *
 * <p>Several instances may run in one JVM (tests do); they share Kafka's process-wide metrics
 * registry, so broker metrics of one may shadow the other's.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Loopback only: the embedded broker is never reachable from another machine. */
    public static final String HOST = "127.0.0.1";

    /** The broker maximum for a transaction; Flink's exactly-once sink uses at most 10 minutes. */
    public static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofMinutes(15);

    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String SECURE_LISTENER = "SASL_SSL";
    private static final int NODE_ID = 1;
    private static final int START_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final int port;
    private final Path dataDir;
    private final boolean deleteOnClose;
    private final Duration startupTime;
    private final Duration shutdownTimeout;
    private final KafkaSecurity security;
    private boolean closed;

    private EmbeddedKafka(
            KafkaRaftServer server,
            int port,
            Path dataDir,
            boolean deleteOnClose,
            Duration startupTime,
            Duration shutdownTimeout,
            KafkaSecurity security) {
        this.security = security;
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.startupTime = startupTime;
        this.shutdownTimeout = shutdownTimeout;
    }

    /** A builder with the defaults: a free port, a temporary folder, 4 partitions per topic. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a broker with the defaults of {@link #builder()}. */
    public static EmbeddedKafka start() {
        return builder().start();
    }

    /** The address for {@code bootstrap.servers}, such as {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /**
     * How vmres's own clients of this broker reach it: in plain text, or as the admin (a super
     * user) when the broker is secure.
     */
    public KafkaEndpoint endpoint() {
        return endpoint(KafkaSecurity.Role.ADMIN);
    }

    /** How a client in {@code role} reaches the broker: in plain text when it is not secure. */
    public KafkaEndpoint endpoint(KafkaSecurity.Role role) {
        return security == null
                ? KafkaEndpoint.of(bootstrapServers())
                : security.endpoint(role, bootstrapServers());
    }

    /** The broker's SASL_SSL and ACLs, when it was started {@link Builder#secure secure}. */
    public Optional<KafkaSecurity> security() {
        return Optional.ofNullable(security);
    }

    /** The port clients connect to. */
    public int port() {
        return port;
    }

    /** Where the broker keeps its logs and metadata. */
    public Path dataDir() {
        return dataDir;
    }

    /** From the call to start until every topic had a leader for every partition. */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * Stops the broker, waiting at most the shutdown timeout, and deletes the data folder if it was
     * a temporary one. Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        boolean stopped = stop(server, shutdownTimeout);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        if (stopped) {
            LOG.info("Kafka broker at {} stopped in {} ms", bootstrapServers(), ms);
        } else {
            LOG.warn(
                    "Kafka broker at {} did not stop within {} ms; leaving its threads behind",
                    bootstrapServers(),
                    shutdownTimeout.toMillis());
        }
        // A broker that did not stop still holds files open: deleting under it would only fail.
        if (deleteOnClose && stopped) {
            deleteRecursively(dataDir);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", " + dataDir + "]";
    }

    /** Shuts the server down on a daemon thread so that a stuck shutdown cannot hang the caller. */
    private static boolean stop(KafkaRaftServer server, Duration timeout) {
        Thread stopper =
                new Thread(
                        () -> {
                            server.shutdown();
                            server.awaitShutdown();
                        },
                        "vmres-kafka-shutdown");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !stopper.isAlive();
    }

    /** Deletes a folder and everything in it; a leftover is logged, not thrown. */
    public static void deleteRecursively(Path dir) {
        // a process that still tidies the folder up (a TaskManager's checkpoints) may remove
        // files while they are walked: then the walk starts again
        for (int attempt = 1; Files.exists(dir); attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | UncheckedIOException e) {
                boolean gone =
                        e instanceof NoSuchFileException
                                || e.getCause() instanceof NoSuchFileException;
                if (!gone || attempt == 3) {
                    // Leftovers in the temporary folder harm nothing but disk space: tell, do not
                    // fail close.
                    LOG.warn("could not delete the temporary folder {}", dir, e);
                    return;
                }
            }
        }
    }

    /** Settings of an {@link EmbeddedKafka}; {@link #start()} may be called more than once. */
    public static final class Builder {
        private int port;
        private Path dataDir;
        private int partitions = 4;
        private List<String> topics = Topics.ALL;
        private boolean appendTime = true;
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Path securityDir;
        private Time time = Time.SYSTEM;

        private Builder() {}

        /**
         * The broker's clock (default the system's): what it stamps as each record's append time. A
         * test gives one whose wall time it steps, as a new leader's clock behind the old one's.
         */
        public Builder time(Time time) {
            this.time = Objects.requireNonNull(time, "time");
            return this;
        }

        /**
         * Clients must authenticate (SASL_SSL, SCRAM-SHA-512) and be allowed by an ACL: the
         * certificates, passwords and one client properties file per role are kept in {@code dir}
         * ({@link KafkaSecurity}); null (the default) means plain text without ACLs. A kept {@link
         * #dataDir} must have been made secure from its start: its users are created when it is
         * formatted.
         */
        public Builder secure(Path dir) {
            this.securityDir = dir;
            return this;
        }

        /** The client port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * A folder for the broker's data, created if missing and kept on close, so that a restart
         * finds its topics and offsets again; null (the default) means a temporary folder, deleted
         * on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Partitions of each topic created at start (default 4). */
        public Builder partitions(int partitions) {
            if (partitions < 1) {
                throw new IllegalArgumentException(
                        "partitions must be at least 1, was " + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        /** The topics to create at start; default {@link Topics#ALL}. */
        public Builder topics(List<String> topics) {
            this.topics = List.copyOf(topics);
            return this;
        }

        /**
         * Whether the input topics are created with {@code message.timestamp.type=LogAppendTime}
         * (default true, as {@code vmres topics} sets them up): the job then reads the broker's
         * append time as each event's {@code recvTs}. False keeps the producers' timestamps, for
         * tests that write events of another day and want their own ts to stand.
         */
        public Builder appendTimeOnInputs(boolean appendTime) {
            this.appendTime = appendTime;
            return this;
        }

        /** How long start may take before it fails (default 60 s). */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = positive(timeout, "startTimeout");
            return this;
        }

        /** How long close waits for the broker to stop (default 30 s). */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = positive(timeout, "shutdownTimeout");
            return this;
        }

        /** A broker setting on top of the embedded defaults, such as {@code log.retention.ms}. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /**
         * Formats the storage if new, starts the broker, creates the topics and waits until each
         * has a leader.
         *
         * @throws IllegalStateException if the broker does not come up in time, or the port is
         *     taken
         */
        public EmbeddedKafka start() {
            long t0 = System.nanoTime();
            boolean temporary = dataDir == null;
            KafkaSecurity security = securityDir == null ? null : KafkaSecurity.in(securityDir);
            Path dir = temporary ? createTempDir() : createDir(dataDir);
            try {
                if (port != 0) {
                    checkFree(port);
                }
                RuntimeException last = null;
                // Only the controller port is chosen here without binding it at once; another
                // process
                // may take it in between, so a bind failure is retried on fresh ports.
                for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                    int clientPort = port != 0 ? port : freePort();
                    int controllerPort = freePort();
                    try {
                        return startOn(dir, temporary, clientPort, controllerPort, t0, security);
                    } catch (RuntimeException e) {
                        if (!causedByBind(e)) {
                            throw e;
                        }
                        LOG.info(
                                "port taken while starting Kafka (attempt {}), retrying",
                                attempt,
                                e);
                        last = e;
                    }
                }
                throw new IllegalStateException("could not bind Kafka's ports on " + HOST, last);
            } catch (RuntimeException e) {
                if (temporary) {
                    deleteRecursively(dir);
                }
                throw e;
            } catch (LinkageError e) {
                // Kafka's static initializers fail so, for one, when the JVM is already shutting
                // down.
                if (temporary) {
                    deleteRecursively(dir);
                }
                throw new IllegalStateException("Kafka could not start", e);
            }
        }

        private EmbeddedKafka startOn(
                Path dir,
                boolean temporary,
                int clientPort,
                int controllerPort,
                long t0,
                KafkaSecurity security) {
            KafkaConfig config =
                    KafkaConfig.fromProps(
                            brokerProperties(dir, clientPort, controllerPort, security));
            formatIfNew(dir, config, security);
            long tFormatted = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(config, time);
            try {
                server.startup();
                long tStarted = System.nanoTime();
                String bootstrap = HOST + ":" + clientPort;
                KafkaEndpoint admin =
                        security == null
                                ? KafkaEndpoint.of(bootstrap)
                                : security.endpoint(KafkaSecurity.Role.ADMIN, bootstrap);
                createTopics(admin, security != null);
                if (security != null) {
                    security.writeClientFiles(bootstrap);
                }
                long tReady = System.nanoTime();
                Duration startup = Duration.ofNanos(tReady - t0);
                LOG.info(
                        "Kafka broker ready at {}:{} in {} ms (format {} ms, broker {} ms, topics {} ms), data"
                                + " in {}",
                        HOST,
                        clientPort,
                        startup.toMillis(),
                        TimeUnit.NANOSECONDS.toMillis(tFormatted - t0),
                        TimeUnit.NANOSECONDS.toMillis(tStarted - tFormatted),
                        TimeUnit.NANOSECONDS.toMillis(tReady - tStarted),
                        dir);
                return new EmbeddedKafka(
                        server, clientPort, dir, temporary, startup, shutdownTimeout, security);
            } catch (RuntimeException e) {
                // Release ports, threads and the folder lock before a retry or the caller's next
                // step.
                if (!stop(server, shutdownTimeout)) {
                    e.addSuppressed(
                            new TimeoutException("broker did not stop after a failed start"));
                }
                throw e;
            }
        }

        private Properties brokerProperties(
                Path dir, int clientPort, int controllerPort, KafkaSecurity security) {
            Properties p = new Properties();
            p.put("process.roles", "broker,controller");
            p.put("node.id", Integer.toString(NODE_ID));
            p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
            p.put("controller.listener.names", CONTROLLER_LISTENER);
            if (security == null) {
                String broker = BROKER_LISTENER + "://" + HOST + ":" + clientPort;
                String controller = CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort;
                p.put("listeners", broker + "," + controller);
                p.put("advertised.listeners", broker);
                p.put("inter.broker.listener.name", BROKER_LISTENER);
                p.put(
                        "listener.security.protocol.map",
                        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            } else {
                p.put("inter.broker.listener.name", SECURE_LISTENER);
                p.putAll(
                        security.brokerProperties(
                                SECURE_LISTENER,
                                CONTROLLER_LISTENER,
                                HOST,
                                clientPort,
                                controllerPort));
            }
            p.put("log.dirs", dir.toAbsolutePath().toString());
            p.put("num.partitions", Integer.toString(partitions));
            // One node: internal topics cannot have more than one replica.
            p.put("offsets.topic.replication.factor", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            p.put("min.insync.replicas", "1");
            // Fewer internal partitions than the 50 default: faster first consumer group and
            // transaction, and plenty for one machine.
            p.put("offsets.topic.num.partitions", "8");
            p.put("transaction.state.log.num.partitions", "8");
            p.put("transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT.toMillis()));
            // Consumers of a fresh group start at once instead of after 3 s.
            p.put("group.initial.rebalance.delay.ms", "0");
            // The 128 MiB default of the log cleaner's buffer is sized for a data center broker.
            p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
            // A broker that cannot start (its controller never elected, say) fails instead of
            // hanging.
            p.put("server.max.startup.time.ms", Long.toString(startTimeout.toMillis()));
            overrides.forEach(p::put);
            return p;
        }

        /**
         * Formats a new data folder, as {@code kafka-storage.sh format}; a formatted one is kept.
         */
        private static void formatIfNew(Path dir, KafkaConfig config, KafkaSecurity security) {
            if (Files.exists(dir.resolve("meta.properties"))) {
                return;
            }
            Formatter formatter =
                    new Formatter()
                            .setPrintStream(
                                    new java.io.PrintStream(
                                            java.io.OutputStream.nullOutputStream()))
                            .setNodeId(NODE_ID)
                            .setClusterId(Uuid.randomUuid().toString())
                            .setDirectories(List.of(dir.toAbsolutePath().toString()))
                            .setMetadataLogDirectory(config.metadataLogDir())
                            .setControllerListenerName(CONTROLLER_LISTENER)
                            .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
            if (security != null) {
                // KRaft keeps SCRAM users in its metadata: the broker's own must be there before
                // it starts, so every role's is created here, as kafka-storage format --add-scram
                formatter.setScramArguments(security.scramArguments());
            }
            try {
                formatter.run();
            } catch (Exception e) {
                throw new IllegalStateException("could not format Kafka storage in " + dir, e);
            }
        }

        private void createTopics(KafkaEndpoint kafka, boolean withAcls) {
            String bootstrap = kafka.bootstrap();
            long deadline = System.nanoTime() + startTimeout.toNanos();
            try (Admin admin =
                    Admin.create(
                            kafka.client(
                                    Map.of(
                                            AdminClientConfig.CLIENT_ID_CONFIG,
                                            "vmres-embedded-kafka-setup")))) {
                if (withAcls) {
                    admin.createAcls(KafkaSecurity.acls())
                            .all()
                            .get(remaining(deadline), TimeUnit.NANOSECONDS);
                }
                List<NewTopic> wanted = new ArrayList<>();
                for (String topic : topics) {
                    // the inputs carry the broker's append time, the job's recvTs, as on any
                    // Kafka set up by vmres (TopicSetup)
                    wanted.add(
                            new NewTopic(topic, partitions, (short) 1)
                                    .configs(
                                            appendTime && TopicSetup.isInput(topic)
                                                    ? Map.of(
                                                            TopicConfig
                                                                    .MESSAGE_TIMESTAMP_TYPE_CONFIG,
                                                            "LogAppendTime")
                                                    : Map.of()));
                }
                Set<String> existing =
                        admin.listTopics().names().get(remaining(deadline), TimeUnit.NANOSECONDS);
                wanted.removeIf(t -> existing.contains(t.name()));
                for (var e : admin.createTopics(wanted).values().entrySet()) {
                    try {
                        e.getValue().get(remaining(deadline), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException ex) {
                        if (!(ex.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException(
                                    "could not create topic " + e.getKey(), ex.getCause());
                        }
                    }
                }
                awaitLeaders(admin, deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating Kafka topics", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException(
                        "Kafka at " + bootstrap + " did not become ready", e);
            }
        }

        /**
         * Creation is acknowledged by the controller; clients need the broker to lead each
         * partition.
         */
        private void awaitLeaders(Admin admin, long deadline)
                throws InterruptedException, ExecutionException, TimeoutException {
            if (topics.isEmpty()) {
                return;
            }
            while (true) {
                Map<String, TopicDescription> d;
                try {
                    d =
                            admin.describeTopics(topics)
                                    .allTopicNames()
                                    .get(remaining(deadline), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    // just created: the broker's metadata may not know the topic yet; ask again
                    if (!(e.getCause() instanceof RetriableException) || remaining(deadline) <= 0) {
                        throw e;
                    }
                    TimeUnit.MILLISECONDS.sleep(50);
                    continue;
                }
                boolean ready =
                        d.values().stream()
                                .flatMap(t -> t.partitions().stream())
                                .map(TopicPartitionInfo::leader)
                                .allMatch(leader -> leader != null && !leader.isEmpty());
                if (ready) {
                    return;
                }
                if (remaining(deadline) <= 0) {
                    throw new TimeoutException("topics have partitions without a leader: " + d);
                }
                // A short pause between metadata polls; this is runtime code, not a test.
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }

        private static long remaining(long deadline) {
            return Math.max(0, deadline - System.nanoTime());
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }

        private static Path createTempDir() {
            try {
                return Files.createTempDirectory("vmres-kafka-");
            } catch (IOException e) {
                throw new UncheckedIOException("could not create a temporary folder for Kafka", e);
            }
        }

        private static Path createDir(Path dir) {
            try {
                return Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("could not create Kafka's data folder " + dir, e);
            }
        }

        private static void checkFree(int port) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            } catch (IOException e) {
                throw new IllegalStateException("port " + port + " on " + HOST + " is in use", e);
            }
        }

        private static int freePort() {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on " + HOST, e);
            }
        }

        private static boolean causedByBind(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    return true;
                }
            }
            return false;
        }
    }
}
