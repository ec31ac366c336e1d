package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.deploy.commands.Fleet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@code vmres cluster chaos}: on a fresh local cluster, racks fail round after round (about {@code
 * vms} HA VMs each) while faults are injected one after another into the processes that recover
 * them (TaskManagers, brokers, the connector, the JobManager); then the simulated fleet's ledger is
 * read ({@link ChaosVerdict}): no VM lost, no command executed twice, no healthy host fenced, no VM
 * on two hosts at once. The first round has no fault: the others' recovery times are told against
 * it.
 */
public final class ChaosRun {
    /** A chaos run's settings. */
    public record Options(
            int faults,
            int faultRounds,
            int vms,
            int hosts,
            int vmsPerHost,
            int clusters,
            long seed,
            Duration pause,
            Duration roundTimeout,
            int parallelism,
            Path jar,
            List<String> jobArgs,
            Path out) {}

    /** One fault as injected: when (from its round's failure), what, and how long it took. */
    public record Injected(
            int round, ChaosFault fault, String what, long atMs, long healedMs, boolean healed) {}

    /** A round's plan and what happened in it. */
    public record RoundResult(
            ChaosVerdict.Round round,
            List<String> racks,
            List<Injected> faults,
            boolean recovered) {}

    /** What {@link #run} found. */
    public record Result(
            Options options, List<RoundResult> rounds, ChaosVerdict verdict, Path folder) {}

    private static final Duration PROCESS_UP = Duration.ofMinutes(3);
    // a fault heals within this or is told as not healed (and no further fault of its round hits)
    private static final Duration HEAL = Duration.ofMinutes(3);
    // at most this share of a cluster fails in one round: half a cluster silent is a telemetry
    // outage by the job's rule (massSilenceFraction), not a failure to recover from
    private static final double MAX_CLUSTER_SHARE = 0.4;

    private final LocalCluster cluster;
    private final Installation inst;
    private final PrintStream out;
    private final Random random;
    private final Options options;
    private long runStart;

    public ChaosRun(LocalCluster cluster, Installation inst, Options options, PrintStream out) {
        this.cluster = cluster;
        this.inst = inst;
        this.options = options;
        this.out = out;
        this.random = new Random(options.seed());
    }

    /** The faults, {@code faults} in all in kind order, dealt over {@code rounds} rounds. */
    static List<List<ChaosFault>> plan(int faults, int rounds) {
        ChaosFault[] kinds = ChaosFault.values();
        List<ChaosFault> all = new ArrayList<>();
        for (int i = 0; i < faults; i++) {
            all.add(kinds[(int) ((long) i * kinds.length / faults)]);
        }
        List<List<ChaosFault>> out = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            int from = (int) ((long) r * faults / rounds);
            int to = (int) ((long) (r + 1) * faults / rounds);
            out.add(List.copyOf(all.subList(from, to)));
        }
        return out;
    }

    /** Starts the cluster, runs every round, reads the ledger, writes the report, stops it all. */
    public Result run() throws Exception {
        runStart = System.nanoTime();
        List<List<ChaosFault>> plan = new ArrayList<>();
        plan.add(List.of());
        plan.addAll(plan(options.faults(), options.faultRounds()));
        say(
                "chaos run: %d faults in %d rounds after a fault-free one; about %d VMs fail each"
                        + " round; seed %d",
                options.faults(), options.faultRounds(), options.vms(), options.seed());
        cluster.up(
                inst,
                new LocalCluster.FleetShape(
                        options.hosts(), options.vmsPerHost(), options.clusters(), options.seed()));
        List<RoundResult> rounds = new ArrayList<>();
        try {
            cluster.submit(options.jar(), options.jobArgs(), options.parallelism(), PROCESS_UP);
            FleetApi fleet = new FleetApi(cluster.hypervisorUrl());
            // the job has read the fleet's inventory and its first beats
            cluster.awaitSteady(3, Duration.ofSeconds(15), PROCESS_UP);
            for (int r = 0; r < plan.size(); r++) {
                rounds.add(round(fleet, r, plan.size(), plan.get(r)));
            }
            JsonNode report = fleet.report();
            ChaosVerdict verdict =
                    ChaosVerdict.of(report, rounds.stream().map(RoundResult::round).toList());
            Result result = new Result(options, rounds, verdict, options.out());
            ChaosReport.write(result, report);
            ChaosReport.print(result, out);
            return result;
        } finally {
            say("stopping the cluster (its logs stay in %s)", cluster.home().resolve("logs"));
            cluster.down();
        }
    }

    private RoundResult round(FleetApi fleet, int r, int of, List<ChaosFault> faults)
            throws Exception {
        List<String> racks = pickRacks(fleet.report(), r);
        long start = System.currentTimeMillis();
        JsonNode lost = fleet.rackLoss(racks);
        List<String> hosts = texts(lost.path("hosts"));
        List<String> vms = texts(lost.path("vms"));
        say(
                "round %d/%d: racks %s lose power: %d hosts, %d HA VMs to restart; %s",
                r + 1,
                of,
                String.join(",", racks),
                hosts.size(),
                vms.size(),
                faults.isEmpty()
                        ? "no fault (the baseline)"
                        : faults.size() + " faults: " + labels(faults));
        List<Injected> injected = new ArrayList<>();
        // the first fault as the job detects the failure (heartbeat timeout and more), the
        // others one after another, each once the cluster is whole again after the previous one
        sleep(Duration.ofMillis(6_000 + random.nextInt(6_000)));
        for (ChaosFault f : faults) {
            Injected done = inject(r, f, start);
            injected.add(done);
            if (!done.healed()) {
                say("  round %d: no further fault: the cluster is not whole again", r + 1);
                break;
            }
            sleep(Duration.ofMillis(1_000 + random.nextInt(4_000)));
        }
        long deadline = System.nanoTime() + options.roundTimeout().toNanos();
        long left = fleet.unrecovered();
        long lastSaid = System.nanoTime();
        while (left > 0 && System.nanoTime() < deadline) {
            if (System.nanoTime() - lastSaid > 15_000_000_000L) {
                say("  round %d: %d VMs still to restart", r + 1, left);
                lastSaid = System.nanoTime();
            }
            sleep(Duration.ofSeconds(1));
            left = fleet.unrecovered();
        }
        boolean recovered = left == 0;
        say(
                recovered
                        ? "  round %d: every HA VM runs again, %.1f s after the failure"
                        : "  round %d: %d VMs not restarted after %.1f s: giving up on them",
                recovered
                        ? new Object[] {r + 1, (System.currentTimeMillis() - start) / 1e3}
                        : new Object[] {r + 1, left, (System.currentTimeMillis() - start) / 1e3});
        // a while more: a late or second copy, a command run again, shows in the ledger now
        sleep(Duration.ofSeconds(10));
        long end = System.currentTimeMillis();
        fleet.repair(hosts);
        if (r + 1 < of) {
            // the repaired hosts beat again and rejoin, empty, before the next round
            sleep(Duration.ofSeconds(15));
        }
        return new RoundResult(
                new ChaosVerdict.Round(r + 1, start, end, hosts, vms), racks, injected, recovered);
    }

    /**
     * Whole power domains of each cluster (a failed rack's domain takes no restarted VM), or the
     * racks of a domain too large on their own, in an order turned by the round, skipping those
     * with no VM (repaired, empty) and keeping most of each cluster's hosts, until about {@code
     * vms} VMs are on them.
     */
    List<String> pickRacks(JsonNode report, int round) {
        Map<String, Map<String, Map<String, List<JsonNode>>>> byCluster = new TreeMap<>();
        for (JsonNode h : report.path("hosts")) {
            byCluster
                    .computeIfAbsent(h.path("cluster").asText(), k -> new TreeMap<>())
                    .computeIfAbsent(h.path("powerDomain").asText(), k -> new TreeMap<>())
                    .computeIfAbsent(h.path("rack").asText(), k -> new ArrayList<>())
                    .add(h);
        }
        int perCluster = Math.max(1, options.vms() / Math.max(1, byCluster.size()));
        List<String> racks = new ArrayList<>();
        for (Map<String, Map<String, List<JsonNode>>> domains : byCluster.values()) {
            int clusterHosts = 0;
            for (Map<String, List<JsonNode>> d : domains.values()) {
                clusterHosts += d.values().stream().mapToInt(List::size).sum();
            }
            double limit = MAX_CLUSTER_SHARE * clusterHosts;
            // the units that may fail: a domain, or each rack of a domain above the limit
            List<List<List<JsonNode>>> units = new ArrayList<>();
            for (Map<String, List<JsonNode>> d : domains.values()) {
                int size = d.values().stream().mapToInt(List::size).sum();
                if (size <= limit) {
                    units.add(new ArrayList<>(d.values()));
                } else {
                    d.values().forEach(rack -> units.add(List.of(rack)));
                }
            }
            java.util.Collections.rotate(units, -round);
            int hosts = 0;
            int vms = 0;
            for (List<List<JsonNode>> unit : units) {
                if (vms >= perCluster) {
                    break;
                }
                int unitHosts = unit.stream().mapToInt(List::size).sum();
                int unitVms = 0;
                for (List<JsonNode> rack : unit) {
                    for (JsonNode h : rack) {
                        unitVms += h.path("vms").asInt();
                    }
                }
                if (unitVms == 0 || hosts + unitHosts > limit) {
                    continue;
                }
                hosts += unitHosts;
                vms += unitVms;
                unit.forEach(rack -> racks.add(rack.get(0).path("rack").asText()));
            }
        }
        if (racks.isEmpty()) {
            throw new IllegalStateException(
                    "no rack is small enough to fail: the clusters need more racks");
        }
        return racks;
    }

    private Injected inject(int round, ChaosFault f, long roundStart) throws Exception {
        long at = System.currentTimeMillis() - roundStart;
        long t0 = System.nanoTime();
        ClusterConfig ports = ClusterConfig.load(cluster.home());
        ClusterProcesses processes = cluster.processes();
        FlinkRest rest = new FlinkRest(ports.restUrl());
        String what;
        Optional<String> gap;
        switch (f) {
            case TASKMANAGER_KILL -> {
                int i = random.nextInt(LocalCluster.TASK_MANAGERS);
                String name = FlinkSession.taskManager(i);
                Optional<String> oldPath = ClusterHealth.taskManagerPath(rest, name);
                long pid = kill(processes, name);
                long killedAt = System.currentTimeMillis();
                sleep(Duration.ofSeconds(2));
                flink(ports).startTaskManager(i);
                String job = cluster.jobId().orElseThrow();
                gap = awaitJob(rest, job, Optional.of(name), oldPath, killedAt);
                what = name + " (pid " + pid + ") killed and started again";
            }
            case BROKER_KILL -> {
                int i = random.nextInt(LocalCluster.BROKERS);
                String name = KafkaQuorum.name(i);
                long pid = kill(processes, name);
                sleep(Duration.ofSeconds(3));
                KafkaQuorum kafka = new KafkaQuorum(cluster.home(), ports, inst, processes);
                long startedAt = System.currentTimeMillis();
                kafka.start(i);
                gap = awaitKafka(ports, startedAt);
                what = name + " (pid " + pid + ") killed and started again";
            }
            case BROKER_PAUSE -> {
                int i = random.nextInt(LocalCluster.BROKERS);
                String name = KafkaQuorum.name(i);
                long pid = signal(processes, name, "STOP");
                sleep(options.pause());
                signal(processes, name, "CONT");
                gap = awaitKafka(ports, System.currentTimeMillis());
                what = name + " (pid " + pid + ") paused " + options.pause().toSeconds() + " s";
            }
            case CONNECTOR_KILL -> {
                Set<String> before;
                try (Admin admin = KafkaQuorum.admin(ports.bootstrap())) {
                    before = ClusterHealth.groupMembers(admin, Fleet.GROUP);
                }
                long pid = kill(processes, LocalCluster.CONNECTOR);
                sleep(Duration.ofSeconds(1));
                cluster.startConnector(inst);
                try (Admin admin = KafkaQuorum.admin(ports.bootstrap())) {
                    gap =
                            awaitHealed(
                                    () -> {
                                        if (processes.find(LocalCluster.CONNECTOR).isEmpty()) {
                                            return Optional.of("the connector exited");
                                        }
                                        return ClusterHealth.groupGap(admin, Fleet.GROUP, before);
                                    });
                }
                what = "connector (pid " + pid + ") killed and started again";
            }
            case JOBMANAGER_KILL -> {
                String oldJob = cluster.jobId().orElseThrow();
                long pid = kill(processes, FlinkSession.JOBMANAGER);
                Path checkpoint = latestCheckpoint(oldJob);
                FlinkSession flink = flink(ports);
                flink.startJobManager();
                flink.awaitReady(LocalCluster.TASK_MANAGERS, PROCESS_UP);
                long submittedAt = System.currentTimeMillis();
                String job =
                        cluster.submit(
                                options.jar(),
                                options.jobArgs(),
                                options.parallelism(),
                                PROCESS_UP,
                                checkpoint.toUri().toString());
                gap = awaitJob(rest, job, Optional.empty(), Optional.empty(), submittedAt);
                what =
                        "jobmanager (pid "
                                + pid
                                + ") killed; job "
                                + job
                                + " from "
                                + cluster.home().relativize(checkpoint);
            }
            default -> throw new IllegalStateException("unknown fault " + f);
        }
        long healedMs = (System.nanoTime() - t0) / 1_000_000;
        if (gap.isEmpty()) {
            say("  +%5.1f s  %s: %s; healed in %.1f s", at / 1e3, f.label(), what, healedMs / 1e3);
        } else {
            say(
                    "  +%5.1f s  %s: %s; NOT healed after %.1f s: %s",
                    at / 1e3, f.label(), what, healedMs / 1e3, gap.get());
        }
        return new Injected(round + 1, f, what, at, healedMs, gap.isEmpty());
    }

    /** A check of what keeps the cluster from being whole again: empty once it is. */
    @FunctionalInterface
    private interface Gap {
        Optional<String> find() throws Exception;
    }

    /**
     * Asks {@code gap} until it finds nothing, or {@link #HEAL} has passed; returns its last
     * answer.
     */
    private static Optional<String> awaitHealed(Gap gap) throws Exception {
        long deadline = System.nanoTime() + HEAL.toNanos();
        Optional<String> last = gap.find();
        while (last.isPresent() && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(500));
            last = gap.find();
        }
        return last;
    }

    /**
     * Every TaskManager in, the job RUNNING with every task, a checkpoint since {@code sinceMs}.
     */
    private static Optional<String> awaitJob(
            FlinkRest rest,
            String job,
            Optional<String> restarted,
            Optional<String> oldPath,
            long sinceMs)
            throws Exception {
        return awaitHealed(
                () ->
                        ClusterHealth.jobGap(
                                rest,
                                job,
                                LocalCluster.TASK_MANAGERS,
                                restarted,
                                oldPath,
                                sinceMs));
    }

    /** Every broker in, every partition with its full ISR, every controller caught up. */
    private Optional<String> awaitKafka(ClusterConfig ports, long sinceMs) throws Exception {
        try (Admin admin = KafkaQuorum.admin(ports.bootstrap())) {
            return awaitHealed(() -> ClusterHealth.kafkaGap(admin, LocalCluster.BROKERS, sinceMs));
        }
    }

    private FlinkSession flink(ClusterConfig ports) {
        return new FlinkSession(
                cluster.home(),
                ports,
                inst,
                cluster.processes(),
                LocalCluster.TASK_MANAGERS,
                LocalCluster.SLOTS);
    }

    /** The newest complete checkpoint ({@code chk-N/_metadata}) a job left behind. */
    Path latestCheckpoint(String jobId) throws IOException {
        Path dir = cluster.home().resolve("flink").resolve("checkpoints").resolve(jobId);
        try (Stream<Path> s = Files.list(dir)) {
            Optional<Path> newest =
                    s.filter(p -> p.getFileName().toString().startsWith("chk-"))
                            .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                            .max(
                                    Comparator.comparingLong(
                                            p ->
                                                    Long.parseLong(
                                                            p.getFileName()
                                                                    .toString()
                                                                    .substring(4))));
            return newest.orElseThrow(
                    () -> new IllegalStateException("job " + jobId + " left no checkpoint"));
        }
    }

    private static long kill(ClusterProcesses processes, String name) throws Exception {
        ProcessHandle p =
                processes
                        .find(name)
                        .orElseThrow(() -> new IllegalStateException(name + " is not running"));
        p.destroyForcibly(); // SIGKILL
        p.onExit().get();
        return p.pid();
    }

    private static long signal(ClusterProcesses processes, String name, String signal)
            throws Exception {
        ProcessHandle p =
                processes
                        .find(name)
                        .orElseThrow(() -> new IllegalStateException(name + " is not running"));
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
        if (k.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed");
        }
        return p.pid();
    }

    private void say(String format, Object... args) {
        out.printf(
                Locale.ROOT,
                "[%6.1f s] %s%n",
                (System.nanoTime() - runStart) / 1e9,
                String.format(Locale.ROOT, format, args));
    }

    private static String labels(List<ChaosFault> faults) {
        return String.join(", ", faults.stream().map(ChaosFault::label).toList());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static void sleep(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }
}
