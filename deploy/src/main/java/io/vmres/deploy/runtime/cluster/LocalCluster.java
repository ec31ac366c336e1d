package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.deploy.commands.FleetControl;
import io.vmres.deploy.runtime.TopicSetup;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code vmres cluster}: a multi-process vmres on one machine, on loopback. Three Kafka brokers
 * (KRaft, each broker and controller), a Flink session cluster (a JobManager and two TaskManagers),
 * and the simulated fleet with its connector: every part a JVM of its own, all state under one
 * folder ({@code .vmres/cluster/}: {@code cluster.properties} with the ports, {@code pids/}, {@code
 * logs/}, {@code kafka/N/}, {@code flink/}, {@code fleet/control/}).
 */
public final class LocalCluster {
    /** Where {@code vmres cluster} keeps everything unless told otherwise. */
    public static final Path DEFAULT_HOME = Path.of(".vmres", "cluster");

    public static final int BROKERS = 3;
    public static final int TASK_MANAGERS = 2;
    public static final int SLOTS = 2;
    public static final String FLEET = "fleet";
    public static final String CONNECTOR = "connector";
    public static final String JOB_CLASS = "io.vmres.job.VmresJob";

    private static final Duration READY = Duration.ofMinutes(2);
    private static final Duration GRACE = Duration.ofSeconds(15);

    private final Path home;
    private final PrintStream out;
    private final ClusterProcesses processes;

    private Duration connectorSessionTimeout;

    public LocalCluster(Path home, PrintStream out) {
        this.home = home.toAbsolutePath().normalize();
        this.out = out;
        this.processes = new ClusterProcesses(this.home);
    }

    public Path home() {
        return home;
    }

    /** The processes' names, in start order. */
    public static List<String> partNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < BROKERS; i++) {
            names.add(KafkaQuorum.name(i));
        }
        names.add(FlinkSession.JOBMANAGER);
        for (int i = 0; i < TASK_MANAGERS; i++) {
            names.add(FlinkSession.taskManager(i));
        }
        names.add(FLEET);
        names.add(CONNECTOR);
        return List.copyOf(names);
    }

    /** The fleet's size in a local cluster. */
    public record FleetShape(int hosts, int vmsPerHost, int clusters, long seed) {}

    /**
     * Starts every part, fresh (the data of an earlier cluster in this folder is removed). Stops
     * what it started when a part fails to come up.
     */
    public ClusterConfig up(Installation inst, FleetShape fleet) throws Exception {
        return up(inst, fleet, List.of());
    }

    /**
     * As {@link #up(Installation, FleetShape)}, with more arguments of {@code vmres fleet} (its
     * hypervisor's latency, say).
     */
    public ClusterConfig up(Installation inst, FleetShape fleet, List<String> moreFleetArgs)
            throws Exception {
        long t0 = System.nanoTime();
        ClusterConfig ports = upKafkaAndFlink(inst);
        try {
            long l0 = System.nanoTime();
            startFleet(inst, ports, fleet, moreFleetArgs);
            if (!awaitFleet(READY)) {
                // a fleet that gave up on a broker still settling (a loaded machine): once more
                out.println("the fleet exited while starting: " + fleetOutTail());
                out.println("starting the fleet once more");
                startFleet(inst, ports, fleet, moreFleetArgs);
                if (!awaitFleet(READY)) {
                    throw new IllegalStateException(
                            "the fleet exited: see "
                                    + processes.outFile(FLEET)
                                    + "; it ended with: "
                                    + fleetOutTail());
                }
            }
            ready(
                    "fleet: "
                            + fleet.hosts()
                            + " simulated hosts, their hypervisor at "
                            + hypervisorUrl()
                            + "; crash control "
                            + fleetControl(),
                    l0);
            long c0 = System.nanoTime();
            startConnector(inst);
            ready("connector: the fleet's, a process of its own", c0);
            out.printf(
                    Locale.ROOT,
                    "cluster up in %.1f s. Next: vmres cluster submit%n",
                    (System.nanoTime() - t0) / 1e9);
            return ports;
        } catch (Exception | Error e) {
            out.println("start failed; stopping what was started");
            stopAll();
            throw e;
        }
    }

    /**
     * Starts the brokers (with the topics) and the Flink session, fresh, without the fleet and its
     * connector: for a fleet that runs elsewhere ({@code bench live --on-cluster} keeps it in its
     * own process). Stops what it started when a part fails to come up.
     */
    public ClusterConfig upKafkaAndFlink(Installation inst) throws Exception {
        for (String name : partNames()) {
            if (processes.find(name).isPresent()) {
                throw new IllegalStateException(
                        "a cluster is running in "
                                + home
                                + " ("
                                + name
                                + "); `vmres cluster down` first");
            }
        }
        deleteData();
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("pids"));
        Files.writeString(
                home.resolve("log4j2.properties"), JvmOptions.LOG4J2, StandardCharsets.UTF_8);
        ClusterConfig ports = ClusterConfig.freePorts(BROKERS);
        ports.save(home);
        out.printf("vmres cluster in %s%n", home);
        try {
            long t0 = System.nanoTime();
            KafkaQuorum kafka = new KafkaQuorum(home, ports, inst, processes);
            kafka.format();
            kafka.start();
            FlinkSession flink =
                    new FlinkSession(home, ports, inst, processes, TASK_MANAGERS, SLOTS);
            String backend = flink.configure();
            // Flink starts while the brokers elect their controller: the two do not wait for each
            // other
            long f0 = System.nanoTime();
            flink.startJobManager();
            kafka.awaitReady(READY);
            ready(
                    "Kafka: "
                            + BROKERS
                            + " brokers (KRaft, broker+controller quorum of 3) at "
                            + ports.bootstrap(),
                    t0);
            long k1 = System.nanoTime();
            try (Admin admin = KafkaQuorum.admin(ports.bootstrap())) {
                var created = TopicSetup.create(admin, TopicSetup.wanted(4, BROKERS));
                ready(
                        "topics: "
                                + created.created().size()
                                + " created, 4 partitions, replication 3, min.insync.replicas 2,"
                                + " LogAppendTime on inputs",
                        k1);
            }
            flink.startTaskManagers();
            flink.awaitReady(TASK_MANAGERS, READY);
            ready(
                    "Flink: JobManager and "
                            + TASK_MANAGERS
                            + " TaskManagers ("
                            + SLOTS
                            + " slots each), state backend "
                            + backend
                            + (backend.equals("rocksdb")
                                    ? " (incremental checkpoints)"
                                    : " (flink-statebackend-rocksdb is not on the class path)")
                            + ", web UI "
                            + ports.restUrl(),
                    f0);
            return ports;
        } catch (Exception | Error e) {
            out.println("start failed; stopping what was started");
            stopAll();
            throw e;
        }
    }

    private void startFleet(
            Installation inst, ClusterConfig ports, FleetShape shape, List<String> more)
            throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "fleet",
                                "--bootstrap",
                                ports.bootstrap(),
                                "--hosts",
                                Integer.toString(shape.hosts()),
                                "--vms-per-host",
                                Integer.toString(shape.vmsPerHost()),
                                "--clusters",
                                Integer.toString(shape.clusters()),
                                "--seed",
                                Long.toString(shape.seed()),
                                "--control",
                                fleetControl().toString(),
                                // its connector runs apart, so that it can fail on its own
                                "--hypervisor-port",
                                "0"));
        args.addAll(more);
        List<String> jvm = new ArrayList<>(JvmOptions.COMMON);
        jvm.addAll(List.of("-Xmx512m", "-Dvmres.log.dir=" + home.resolve("logs").resolve(FLEET)));
        processes.start(
                FLEET, inst.java(), jvm, inst.processClasspath(), "io.vmres.deploy.cli.Cli", args);
    }

    /** The URL at which the fleet serves its hypervisor, as it printed it. */
    public String hypervisorUrl() throws IOException {
        Path o = processes.outFile(FLEET);
        String prefix = "Hypervisor on ";
        List<String> lines =
                Files.exists(o) ? Files.readAllLines(o, StandardCharsets.UTF_8) : List.of();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return lines.get(i).substring(prefix.length()).strip();
            }
        }
        throw new IllegalStateException("the fleet has not told its hypervisor's URL: see " + o);
    }

    /**
     * The consumer group session of the connector this cluster starts (null, the default: Kafka's,
     * 45 s): how long a killed connector stays in its group.
     */
    public LocalCluster connectorSessionTimeout(Duration timeout) {
        this.connectorSessionTimeout = timeout;
        return this;
    }

    /** Starts the fleet's connector ({@code vmres fleet connector}) against the running fleet. */
    public void startConnector(Installation inst) throws IOException {
        List<String> jvm = new ArrayList<>(JvmOptions.COMMON);
        jvm.addAll(
                List.of("-Xmx384m", "-Dvmres.log.dir=" + home.resolve("logs").resolve(CONNECTOR)));
        processes.start(
                CONNECTOR,
                inst.java(),
                jvm,
                inst.processClasspath(),
                "io.vmres.deploy.cli.Cli",
                connectorArgs());
    }

    private List<String> connectorArgs() throws IOException {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "fleet",
                                "connector",
                                "--bootstrap",
                                ClusterConfig.load(home).bootstrap(),
                                "--hypervisor",
                                hypervisorUrl()));
        if (connectorSessionTimeout != null) {
            args.add("--session-timeout");
            args.add(connectorSessionTimeout.toMillis() + "ms");
        }
        return args;
    }

    ClusterProcesses processes() {
        return processes;
    }

    /** The fleet is up once it says so on its output; false when it exited before that. */
    private boolean awaitFleet(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (processes.find(FLEET).isEmpty()) {
                return false;
            }
            Path o = processes.outFile(FLEET);
            if (Files.exists(o)
                    && Files.readString(o, StandardCharsets.UTF_8).contains("Crash control:")) {
                return true;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "the fleet did not start: see "
                        + processes.outFile(FLEET)
                        + "; its last lines: "
                        + fleetOutTail());
    }

    /** The last lines of the fleet's output, for an error message. */
    private String fleetOutTail() throws IOException {
        Path o = processes.outFile(FLEET);
        if (!Files.exists(o)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(o, StandardCharsets.UTF_8);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }

    public Path fleetControl() {
        return home.resolve("fleet").resolve("control");
    }

    private void ready(String what, long since) {
        out.printf(
                Locale.ROOT, "  ready in %5.1f s  %s%n", (System.nanoTime() - since) / 1e9, what);
    }

    /**
     * Submits the job jar through the REST API with {@code jobArgs} after the brokers' bootstrap,
     * and waits until every task of it runs.
     *
     * @return the job id
     */
    public String submit(Path jar, List<String> jobArgs, int parallelism, Duration timeout)
            throws Exception {
        return submit(jar, jobArgs, parallelism, timeout, null);
    }

    /**
     * As {@link #submit(Path, List, int, Duration)}, the job's state restored from {@code
     * savepointPath} (a savepoint or a retained checkpoint) unless it is null.
     */
    public String submit(
            Path jar, List<String> jobArgs, int parallelism, Duration timeout, String savepointPath)
            throws Exception {
        ClusterConfig ports = ClusterConfig.load(home);
        FlinkRest rest = new FlinkRest(ports.restUrl());
        long t0 = System.nanoTime();
        String jarId = rest.upload(jar);
        List<String> args = new ArrayList<>(List.of("--bootstrap", ports.bootstrap()));
        args.addAll(jobArgs);
        if (!args.contains("--signing-keys") && !args.contains("--insecure-unsigned")) {
            // the local cluster's fleet is simulated, and its connector signs nothing
            args.add("--insecure-unsigned");
        }
        String jobId = rest.run(jarId, JOB_CLASS, args, parallelism, savepointPath);
        Files.writeString(home.resolve("job.id"), jobId + "\n", StandardCharsets.UTF_8);
        out.printf(
                Locale.ROOT,
                "submitted %s as job %s (parallelism %d)%n",
                jar.getFileName(),
                jobId,
                parallelism);
        long deadline = System.nanoTime() + timeout.toNanos();
        FlinkRest.JobState s = rest.job(jobId);
        while (!(s.state().equals("RUNNING") && s.allTasksRunning())) {
            if (List.of("FAILED", "CANCELED", "FINISHED").contains(s.state())) {
                throw new IllegalStateException(
                        "job "
                                + jobId
                                + " is "
                                + s.state()
                                + ": see "
                                + processes.logFile(FlinkSession.JOBMANAGER));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "job "
                                + jobId
                                + " not running within "
                                + timeout.toSeconds()
                                + " s: "
                                + s.state());
            }
            Thread.sleep(250);
            s = rest.job(jobId);
        }
        ready("job " + jobId + " RUNNING on the TaskManagers", t0);
        return jobId;
    }

    /**
     * Waits until the job has completed {@code checkpoints} checkpoints, and then {@code settle}
     * more: by then it has read the fleet's inventory and its first beats.
     */
    public void awaitSteady(int checkpoints, Duration settle, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (job().map(j -> j.completedCheckpoints() < checkpoints).orElse(true)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the job completed no " + checkpoints + " checkpoints in time");
            }
            Thread.sleep(1_000);
        }
        Thread.sleep(settle.toMillis());
    }

    /** The id of the job last submitted here, if any. */
    public Optional<String> jobId() throws IOException {
        Path f = home.resolve("job.id");
        return Files.isRegularFile(f)
                ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip())
                : Optional.empty();
    }

    /** One process as {@code status} sees it. */
    public record PartStatus(String name, Optional<Long> pid, boolean alive, int port) {}

    /** The job as {@code status} sees it. */
    public record JobStatus(
            String jobId,
            String state,
            long completedCheckpoints,
            long failedCheckpoints,
            Optional<Long> lastCheckpointId,
            Optional<Instant> lastCheckpointAt,
            long lastCheckpointBytes) {}

    /** Every process, alive or not. */
    public List<PartStatus> parts() throws IOException {
        ClusterConfig ports = ClusterConfig.load(home);
        List<PartStatus> parts = new ArrayList<>();
        for (String name : partNames()) {
            int port = 0;
            if (name.startsWith("kafka-")) {
                port = ports.kafkaPorts().get(Integer.parseInt(name.substring(6)) - 1);
            } else if (name.equals(FlinkSession.JOBMANAGER)) {
                port = ports.restPort();
            }
            parts.add(
                    new PartStatus(
                            name,
                            processes.recordedPid(name),
                            processes.find(name).isPresent(),
                            port));
        }
        return parts;
    }

    /** The job's state and its last checkpoint, if a job was submitted and Flink answers. */
    public Optional<JobStatus> job() throws IOException, InterruptedException {
        Optional<String> id = jobId();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        FlinkRest rest = new FlinkRest(ClusterConfig.load(home).restUrl());
        String state = rest.job(id.get()).state();
        JsonNode cp = rest.get("/jobs/" + id.get() + "/checkpoints");
        JsonNode last = cp.path("latest").path("completed");
        boolean has = last.isObject();
        return Optional.of(
                new JobStatus(
                        id.get(),
                        state,
                        cp.path("counts").path("completed").asLong(),
                        cp.path("counts").path("failed").asLong(),
                        has ? Optional.of(last.path("id").asLong()) : Optional.empty(),
                        has
                                ? Optional.of(
                                        Instant.ofEpochMilli(
                                                last.path("latest_ack_timestamp").asLong()))
                                : Optional.empty(),
                        has ? last.path("checkpointed_size").asLong() : 0));
    }

    /** Prints {@link #parts} and {@link #job}; returns whether every part is alive. */
    public boolean printStatus() throws IOException, InterruptedException {
        ClusterConfig ports = ClusterConfig.load(home);
        boolean all = true;
        out.printf(
                "vmres cluster in %s; Kafka %s; web UI %s%n",
                home, ports.bootstrap(), ports.restUrl());
        out.printf("  %-14s %8s  %-6s %s%n", "PROCESS", "PID", "ALIVE", "PORT");
        for (PartStatus p : parts()) {
            all &= p.alive();
            out.printf(
                    "  %-14s %8s  %-6s %s%n",
                    p.name(),
                    p.pid().map(String::valueOf).orElse("-"),
                    p.alive() ? "yes" : "NO",
                    p.port() == 0 ? "-" : Integer.toString(p.port()));
        }
        if (!all) {
            out.println("  (a part is down: its log is in " + home.resolve("logs") + ")");
        }
        Optional<JobStatus> job = Optional.empty();
        try {
            job = job();
        } catch (IOException e) {
            out.println("job: Flink does not answer (" + e.getMessage() + ")");
            return false;
        }
        if (job.isEmpty()) {
            out.println("job: none submitted (vmres cluster submit)");
            return all;
        }
        JobStatus j = job.get();
        out.printf(
                Locale.ROOT,
                "job %s: %s; checkpoints %d completed, %d failed%s%n",
                j.jobId(),
                j.state(),
                j.completedCheckpoints(),
                j.failedCheckpoints(),
                j.lastCheckpointId()
                        .map(
                                id ->
                                        String.format(
                                                Locale.ROOT,
                                                "; last #%d at %s (%d bytes)",
                                                id,
                                                j.lastCheckpointAt().orElseThrow(),
                                                j.lastCheckpointBytes()))
                        .orElse(""));
        return all && j.state().equals("RUNNING");
    }

    /** Stops every part this folder's pid files name (fleet first, brokers last). */
    public void down() throws IOException, InterruptedException {
        List<String> told = stopAll();
        if (told.isEmpty()) {
            out.println("nothing running in " + home);
        } else {
            told.forEach(t -> out.println("  " + t));
            out.println(
                    "cluster down (data kept in " + home + " until the next `vmres cluster up`)");
        }
        Files.deleteIfExists(home.resolve("job.id"));
    }

    private List<String> stopAll() throws IOException, InterruptedException {
        List<String> told = new ArrayList<>();
        // who uses whom stops first: the fleet and the job before the brokers they write to
        told.addAll(processes.stop(List.of(CONNECTOR), GRACE));
        told.addAll(processes.stop(List.of(FLEET), GRACE));
        List<String> tms = new ArrayList<>();
        for (int i = 0; i < TASK_MANAGERS; i++) {
            tms.add(FlinkSession.taskManager(i));
        }
        told.addAll(processes.stop(tms, GRACE));
        told.addAll(processes.stop(List.of(FlinkSession.JOBMANAGER), GRACE));
        List<String> brokers = new ArrayList<>();
        for (int i = 0; i < BROKERS; i++) {
            brokers.add(KafkaQuorum.name(i));
        }
        told.addAll(processes.stop(brokers, GRACE));
        return told;
    }

    /** The pids of every part still alive (none after {@link #down}). */
    public List<Long> alivePids() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String name : partNames()) {
            processes.find(name).ifPresent(p -> pids.add(p.pid()));
        }
        return pids;
    }

    /** Asks the fleet to crash {@code host} ({@link FleetControl#ANY}: the first that can). */
    public String crash(String host) throws IOException, InterruptedException {
        return FleetControl.request(fleetControl(), host, Duration.ofSeconds(15));
    }

    private void deleteData() throws IOException {
        for (String d : List.of("kafka", "flink", "fleet", "logs", "pids")) {
            Path p = home.resolve(d);
            if (Files.exists(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(f);
                    }
                }
            }
        }
        Files.deleteIfExists(home.resolve("job.id"));
    }
}
