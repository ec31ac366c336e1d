package io.vmres.deploy.bench.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.dashboard.RecoveryTime;
import io.vmres.deploy.runtime.DecisionLog;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.deploy.runtime.cluster.ClusterConfig;
import io.vmres.deploy.runtime.cluster.Installation;
import io.vmres.deploy.runtime.cluster.LocalCluster;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.job.live.LiveOptions;
import io.vmres.schema.Command;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentState;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code vmres bench live}: crashes through the whole live loop (the embedded runtime: Kafka, the
 * job on a MiniCluster, the simulated fleet and its connector), first one host at a time, then a
 * rack; each recovery measured on the fleet's ledger (last heartbeat to the last VM running) beside
 * its floor ({@link LiveFloor}). The same crashes run twice when asked: as the job now runs, and
 * with the old behaviour as the baseline (event time from the events' own ts, trailing by
 * outOfOrderness; the fleet beating in one burst a second; results held until the watermark passes
 * them; checkpoints every second).
 */
public final class LiveBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to run.
     *
     * @param singles single-host crashes, one after the other
     * @param rackHosts hosts per rack, the last rack failing at once after the singles (0: none)
     * @param racks racks in the fleet's one cluster
     * @param baseline also run the crashes with the old behaviour
     * @param steadyTelemetry every host's power read with each heartbeat round and no background
     *     health samples; otherwise the fleet's own cadence (power every 5th round, health samples
     *     every 30th), whose quieter partitions hold event time back ({@code InputWatermarks}
     *     idleness) and with it every declaration
     * @param beatPhases the phases the fleet's hosts beat at over the heartbeat interval (the
     *     baseline beats in one burst)
     * @param clusterJar the job's jar, to run the job on the multi-process cluster (three brokers
     *     and a Flink session of a JobManager and two TaskManagers, each a process, as {@code vmres
     *     cluster up} starts them); null: on the embedded runtime
     */
    public record Options(
            int singles,
            int rackHosts,
            int racks,
            int vmsPerHost,
            Duration checkpointInterval,
            Duration heartbeatInterval,
            boolean baseline,
            boolean steadyTelemetry,
            long seed,
            int beatPhases,
            Path clusterJar) {
        /** On the embedded runtime. */
        public Options(
                int singles,
                int rackHosts,
                int racks,
                int vmsPerHost,
                Duration checkpointInterval,
                Duration heartbeatInterval,
                boolean baseline,
                boolean steadyTelemetry,
                long seed,
                int beatPhases) {
            this(
                    singles,
                    rackHosts,
                    racks,
                    vmsPerHost,
                    checkpointInterval,
                    heartbeatInterval,
                    baseline,
                    steadyTelemetry,
                    seed,
                    beatPhases,
                    null);
        }

        /** Whether the job runs on the multi-process cluster. */
        public boolean onCluster() {
            return clusterJar != null;
        }

        /** With the hosts beating at {@link #BEAT_PHASES} phases. */
        public Options(
                int singles,
                int rackHosts,
                int racks,
                int vmsPerHost,
                Duration checkpointInterval,
                Duration heartbeatInterval,
                boolean baseline,
                boolean steadyTelemetry,
                long seed) {
            this(
                    singles,
                    rackHosts,
                    racks,
                    vmsPerHost,
                    checkpointInterval,
                    heartbeatInterval,
                    baseline,
                    steadyTelemetry,
                    seed,
                    BEAT_PHASES);
        }
    }

    /**
     * How the job ran: results on arrival or at the watermark, its checkpoint interval, its event
     * time's append time margin (null: from the events' own ts), the fleet's beat phases.
     */
    record Mode(
            String name,
            boolean resultsOnArrival,
            Duration checkpointInterval,
            Duration appendTimeMargin,
            int beatPhases) {}

    /**
     * The phases the fleet's hosts beat at, spread over the heartbeat interval (50 ms apart at 1
     * s), as real hosts beat each at its own moment.
     */
    static final int BEAT_PHASES = 20;

    /** One run's crashes and the CPU the whole process used meanwhile (cores). */
    record Run(Mode mode, List<LiveCrash> singles, LiveCrash rack, double cpuCores) {}

    private final Options options;
    private final PrintStream progress;
    private final Settings settings = Settings.DEFAULTS;

    // when the decision log read each command and each incident's opening (wall clock)
    private final Map<String, Instant> commandSeen = new ConcurrentHashMap<>();
    private final Map<String, Instant> openSeen = new ConcurrentHashMap<>();

    private LiveBench(Options options, PrintStream progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs the bench and writes {@code dir/live.json}, {@code live.md} and {@code live-*.svg}.
     *
     * @param command the command line, as the report tells it
     * @return the figures written to {@code live.json}
     */
    public static Map<String, Object> run(
            Options options, Path dir, String command, PrintStream progress) throws Exception {
        Map<String, Object> machine = LiveReport.machine();
        Runs runs = measure(options, progress);
        return new LiveReport(
                        options, Settings.DEFAULTS, machine, command, runs.now(), runs.before())
                .write(dir);
    }

    /** The runs of the bench: as the job runs now, and the baseline (null unless asked for). */
    record Runs(Run now, Run before) {}

    static Runs measure(Options options, PrintStream progress) throws Exception {
        Run now =
                new LiveBench(options, progress)
                        .run(
                                new Mode(
                                        "on arrival",
                                        true,
                                        options.checkpointInterval(),
                                        LiveOptions.APPEND_TIME_MARGIN,
                                        options.beatPhases()));
        Run before =
                options.baseline()
                        ? new LiveBench(options, progress)
                                .run(
                                        new Mode(
                                                "at the watermark",
                                                false,
                                                Duration.ofSeconds(1),
                                                null,
                                                1))
                        : null;
        return new Runs(now, before);
    }

    private Run run(Mode mode) throws Exception {
        progress.printf(
                Locale.ROOT,
                "bench live (%s, checkpoints every %d ms): starting Kafka, the job, the fleet and its"
                        + " connector%s%n",
                mode.name(),
                mode.checkpointInterval().toMillis(),
                options.onCluster()
                        ? " (the brokers and Flink as a cluster of processes, the fleet and its"
                                + " connector here)"
                        : "");
        if (!options.onCluster()) {
            return run(mode, null);
        }
        Path home = Files.createTempDirectory("vmres-bench-cluster");
        LocalCluster cluster = new LocalCluster(home, progress);
        boolean done = false;
        try {
            ClusterConfig ports = cluster.upKafkaAndFlink(Installation.current());
            Run run = run(mode, ports);
            done = true;
            return run;
        } finally {
            progress.println("  stopping the cluster");
            cluster.down();
            if (done) {
                EmbeddedKafka.deleteRecursively(home);
            } else {
                progress.println("  the cluster's logs stay in " + home.resolve("logs"));
            }
        }
    }

    /** One run, on the embedded runtime or, with {@code cluster}, on that cluster. */
    private Run run(Mode mode, ClusterConfig cluster) throws Exception {
        SimulatedFleet.Builder fleetSettings =
                SimulatedFleet.builder()
                        .hosts(options.racks() * Math.max(options.rackHosts(), 10))
                        .clusters(1)
                        .hostsPerRack(Math.max(options.rackHosts(), 10))
                        .vmsPerHost(options.vmsPerHost())
                        // room for a rack's VMs on the others: the bench measures speed, not space
                        .hostCapacity(128, 524_288)
                        .heartbeatInterval(options.heartbeatInterval())
                        .beatPhases(mode.beatPhases())
                        .seed(options.seed());
        if (options.steadyTelemetry()) {
            fleetSettings.powerEveryTicks(1).healthEveryTicks(30, 0);
        }
        SimulatedFleet fleet = fleetSettings.build();
        SimulatedHypervisor hypervisor =
                SimulatedHypervisor.builder(fleet).seed(options.seed()).build();
        LiveRuntime.Builder builder =
                LiveRuntime.builder(fleet)
                        .hypervisor(hypervisor)
                        .settings(settings)
                        .checkpointInterval(mode.checkpointInterval())
                        .resultsOnArrival(mode.resultsOnArrival())
                        .appendTimeMargin(mode.appendTimeMargin())
                        .seed(options.seed());
        if (cluster != null) {
            builder.bootstrapServers(cluster.bootstrap())
                    .environment(
                            StreamExecutionEnvironment.createRemoteEnvironment(
                                    ClusterConfig.HOST,
                                    cluster.restPort(),
                                    options.clusterJar().toString()));
        }
        try (LiveRuntime runtime = builder.start();
                DecisionLog log = new DecisionLog(runtime.kafkaEndpoint(), this::seen)) {
            awaitCaughtUp(runtime);
            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            List<FleetHost> hosts = fleet.hosts();
            String rackToFail = hosts.get(hosts.size() - 1).rack();
            List<LiveCrash> singles = new ArrayList<>();
            Set<String> crashed = new HashSet<>();
            for (int i = 0; i < options.singles(); i++) {
                FleetHost victim = victim(fleet, rackToFail, crashed);
                if (victim == null) {
                    progress.println("bench live: no host left to crash");
                    break;
                }
                crashed.add(victim.host());
                Set<String> vms = haVms(fleet, List.of(victim.host()));
                fleet.crash(victim.host());
                LiveCrash c = await("single", List.of(victim.host()), vms, fleet, log);
                singles.add(c);
                tell(String.format(Locale.ROOT, "crash %d/%d", i + 1, options.singles()), c);
            }
            LiveCrash rack = null;
            if (options.rackHosts() > 0) {
                List<String> rackHosts =
                        hosts.stream()
                                .filter(h -> h.rack().equals(rackToFail))
                                .map(FleetHost::host)
                                .toList();
                Set<String> vms = haVms(fleet, rackHosts);
                fleet.rackPowerLoss(rackToFail);
                rack = await("rack", rackHosts, vms, fleet, log);
                tell("rack " + rackToFail, rack);
            }
            double cpu =
                    (processCpuNanos() - cpu0) / (double) Math.max(1, System.nanoTime() - wall0);
            if (!fleet.ledger().repeatedCommands().isEmpty()
                    || fleet.ledger().vmsOnTwoHostsAtOnce() > 0) {
                throw new IllegalStateException(
                        "a command ran twice or a VM ran on two hosts: "
                                + fleet.ledger().repeatedCommands()
                                + " "
                                + fleet.ledger().vmsEverOnTwoHosts());
            }
            return new Run(mode, singles, rack, cpu);
        }
    }

    private void seen(SpecificRecord r) {
        Instant at = Instant.now();
        if (r instanceof Command c) {
            commandSeen.putIfAbsent(c.getCommandId(), at);
        } else if (r instanceof Incident i && i.getState() == IncidentState.OPEN) {
            openSeen.putIfAbsent(i.getIncidentId(), at);
        }
    }

    private void tell(String what, LiveCrash c) {
        progress.printf(
                Locale.ROOT,
                "  %s: %d VMs of %d host(s) back in %.1f s, floor %.1f s (%.2fx); job's recoveryS"
                        + " %s%n",
                what,
                c.recovered(),
                c.hosts(),
                c.measuredS(),
                c.floor().total(),
                c.ratio(),
                c.jobRecoveryS() == null
                        ? "none"
                        : String.format(Locale.ROOT, "%.1f s", c.jobRecoveryS()));
    }

    /** A host with HA VMs outside the rack that fails last, not crashed yet. */
    private static FleetHost victim(SimulatedFleet fleet, String rackToFail, Set<String> crashed) {
        for (FleetHost h : fleet.hosts()) {
            if (!h.spare()
                    && h.bmc()
                    && !h.rack().equals(rackToFail)
                    && !crashed.contains(h.host())
                    && fleet.vmsOn(h.host()).stream().anyMatch(FleetVm::ha)) {
                return h;
            }
        }
        return null;
    }

    private static Set<String> haVms(SimulatedFleet fleet, List<String> hosts) {
        Set<String> vms = new TreeSet<>();
        for (String h : hosts) {
            fleet.vmsOn(h).stream().filter(FleetVm::ha).map(FleetVm::vm).forEach(vms::add);
        }
        return vms;
    }

    /**
     * Waits until every VM of the crash runs again and the job has closed its incident (RECOVERED
     * or PARTIAL), at most 3 minutes; tells how far it is every 10 s.
     */
    private LiveCrash await(
            String kind, List<String> hosts, Set<String> vms, SimulatedFleet fleet, DecisionLog log)
            throws InterruptedException {
        long start = System.nanoTime();
        long told = start;
        while (true) {
            Set<String> back =
                    vms.stream()
                            .filter(vm -> !fleet.ledger().hostsRunning(vm).isEmpty())
                            .collect(Collectors.toSet());
            Optional<Incident> closed = closedIncident(log, hosts);
            long waited = System.nanoTime() - start;
            // a PARTIAL line comes when the last VM the incident could not place is given up
            boolean done =
                    closed.isPresent()
                            && (back.size() == vms.size()
                                    || closed.get().getState() == IncidentState.PARTIAL);
            if (done || waited > TimeUnit.MINUTES.toNanos(3)) {
                Map<String, Instant> lastBeats = lastHeartbeats(log, hosts);
                if (lastBeats.isEmpty()) {
                    throw new IllegalStateException("the job declared no failure of " + hosts);
                }
                Instant declared =
                        log.incidents().stream()
                                .filter(i -> i.getState() == IncidentState.OPEN)
                                .filter(i -> i.getHosts().stream().anyMatch(hosts::contains))
                                .map(i -> openSeen.get(i.getIncidentId()))
                                .filter(java.util.Objects::nonNull)
                                .min(Instant::compareTo)
                                .orElse(null);
                return LiveCrash.of(
                        kind,
                        settings,
                        hosts,
                        vms,
                        lastBeats,
                        fleet.ledger().entries(),
                        closed.map(RecoveryTime::seconds).orElse(null),
                        declared,
                        commandSeen);
            }
            if (System.nanoTime() - told > TimeUnit.SECONDS.toNanos(10)) {
                told = System.nanoTime();
                progress.printf(
                        Locale.ROOT,
                        "  ... %s of %d host(s): %d of %d VMs back after %d s%n",
                        kind,
                        hosts.size(),
                        back.size(),
                        vms.size(),
                        TimeUnit.NANOSECONDS.toSeconds(waited));
            }
            Thread.sleep(100);
        }
    }

    private static Optional<Incident> closedIncident(DecisionLog log, List<String> hosts) {
        return log.incidents().stream()
                .filter(i -> i.getHosts().stream().anyMatch(hosts::contains))
                .filter(
                        i ->
                                i.getState() == IncidentState.RECOVERED
                                        || i.getState() == IncidentState.PARTIAL)
                .reduce((a, b) -> b);
    }

    /** The last heartbeat of each of the hosts, as the job's declarations of them tell. */
    private static Map<String, Instant> lastHeartbeats(DecisionLog log, List<String> hosts) {
        Map<String, Instant> beats = new HashMap<>();
        for (Incident i : log.incidents()) {
            if (i.getState() != IncidentState.OPEN
                    || i.getEvidenceJson() == null
                    || i.getHosts().stream().noneMatch(hosts::contains)) {
                continue;
            }
            try {
                JsonNode told = JSON.readTree(i.getEvidenceJson()).path("lastHeartbeat");
                for (String h : hosts) {
                    JsonNode v = told.get(h);
                    if (v != null) {
                        beats.merge(
                                h,
                                Instant.ofEpochMilli(Times.parse(v.asText())),
                                (a, b) -> a.isBefore(b) ? a : b);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("evidence of " + i.getIncidentId(), e);
            }
        }
        return beats;
    }

    /**
     * Until the job has read what the fleet wrote while it started (a host whose every heartbeat it
     * read before the host's record was never alive to it, and is never declared failed), and two
     * more heartbeat rounds.
     */
    private void awaitCaughtUp(LiveRuntime runtime) throws Exception {
        try (Admin admin = Admin.create(runtime.kafkaEndpoint().client(Map.of()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(Topics.INPUTS)
                    .allTopicNames()
                    .get(60, TimeUnit.SECONDS)
                    .forEach(
                            (name, d) ->
                                    d.partitions()
                                            .forEach(
                                                    p ->
                                                            latest.put(
                                                                    new TopicPartition(
                                                                            name, p.partition()),
                                                                    OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get(60, TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (true) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets("vmres-job")
                                .partitionsToOffsetAndMetadata()
                                .get(60, TimeUnit.SECONDS);
                boolean all =
                        ends.entrySet().stream()
                                .allMatch(
                                        e ->
                                                e.getValue() == 0
                                                        || (committed.get(e.getKey()) != null
                                                                && committed
                                                                                .get(e.getKey())
                                                                                .offset()
                                                                        >= e.getValue()));
                if (all) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job did not catch up in 3 minutes");
                }
                Thread.sleep(200);
            }
        }
        long at = runtime.telemetry().ticks();
        while (runtime.telemetry().ticks() < at + 2) {
            Thread.sleep(100);
        }
        progress.println("  the job has caught up with the fleet; crashing hosts");
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : 0;
    }
}
