package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.deploy.dashboard.RecoveryTime;
import io.vmres.deploy.runtime.DecisionLog;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentState;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code vmres cluster scaleout}: on a fresh local cluster with many vmres clusters in its fleet,
 * one rack of each of the first {@code racks} clusters loses power on its own, one cluster after
 * the other, and then racks of the same shape in those clusters at once. Each cluster's recovery
 * time together must equal its time alone within a tolerance: clusters never wait for each other. A
 * recovery time is the job's own {@code recoveryS} on the incident's line (from the failure start
 * to the last successful restart); the fleet's ledger must show every failed HA VM restarted once.
 */
public final class ScaleOutRun {
    /** A scale-out run's settings. */
    public record Options(
            int clusters,
            int hostsPerCluster,
            int vmsPerHost,
            int racks,
            int parallelism,
            long seed,
            double tolerance,
            int maxInFlightPerCluster,
            Duration latencyMedian,
            double latencySigma,
            Duration phaseTimeout,
            Path jar,
            List<String> jobArgs,
            Path out) {}

    /** A rack that may fail: its cluster, its hosts, its HA VMs and how many VMs in all. */
    public record Rack(
            String cluster, String rack, List<String> hosts, List<String> haVmIds, int vms) {
        public int haVms() {
            return haVmIds.size();
        }
    }

    /**
     * One cluster's recovery in one phase.
     *
     * @param recoveryS the job's recoveryS (the latest of its incidents'), null when its figures
     *     have none
     * @param ledgerS the fleet's own: the failure to its last successful restart, -1 without one
     */
    public record Recovery(
            String cluster,
            String rack,
            int hosts,
            int haVms,
            List<String> incidents,
            Double recoveryS,
            double ledgerS,
            int restarted) {}

    /**
     * A cluster's recovery alone and together with the others, compared on the job's recoveryS when
     * the job gave it for both, else on the fleet's ledger.
     */
    public record Row(String cluster, Recovery alone, Recovery together, double tolerance) {
        /** Whether the job's own figures are compared (else the ledger's). */
        public boolean byJob() {
            return alone.recoveryS() != null && together.recoveryS() != null;
        }

        /** The compared recovery time alone, in seconds; NaN without one. */
        public double aloneS() {
            return measure(alone);
        }

        /** The compared recovery time together, in seconds; NaN without one. */
        public double togetherS() {
            return measure(together);
        }

        private double measure(Recovery r) {
            if (byJob()) {
                return r.recoveryS();
            }
            return alone.ledgerS() >= 0 && together.ledgerS() >= 0 ? r.ledgerS() : Double.NaN;
        }

        /** Together over alone; NaN when either is missing. */
        public double ratio() {
            return togetherS() / aloneS();
        }

        public boolean within() {
            double r = ratio();
            return !Double.isNaN(r) && Math.abs(r - 1) <= tolerance + 1e-9;
        }
    }

    /** What {@link #run} found. */
    public record Result(
            Options options,
            List<Row> rows,
            ChaosVerdict verdict,
            List<ChaosVerdict.Round> rounds,
            Path folder) {
        /**
         * Every cluster within the tolerance, every failed VM restarted once, nothing else wrong.
         */
        public boolean passed() {
            return !rows.isEmpty()
                    && rows.stream().allMatch(Row::within)
                    && verdict.clean()
                    && verdict.vmsRestartedMoreThanOnce().isEmpty();
        }
    }

    private static final Duration PROCESS_UP = Duration.ofMinutes(5);
    private static final Set<IncidentState> ENDED =
            Set.of(IncidentState.RECOVERED, IncidentState.PARTIAL, IncidentState.CLOSED);

    private final LocalCluster cluster;
    private final Installation inst;
    private final Options options;
    private final PrintStream out;
    private final List<ChaosVerdict.Round> rounds = new ArrayList<>();
    private long runStart;

    public ScaleOutRun(LocalCluster cluster, Installation inst, Options options, PrintStream out) {
        this.cluster = cluster;
        this.inst = inst;
        this.options = options;
        this.out = out;
    }

    /** The job's arguments: the caller's, and the in-flight limit per cluster. */
    List<String> jobArgs() {
        List<String> args = new ArrayList<>(options.jobArgs());
        args.add("--set");
        args.add("maxInFlightPerCluster=" + options.maxInFlightPerCluster());
        return args;
    }

    /** Starts the cluster, runs every phase, reads the ledger, writes the report, stops it all. */
    public Result run() throws Exception {
        runStart = System.nanoTime();
        Options o = options;
        say(
                "scale-out run: %d clusters of %d hosts, %d VMs each; parallelism %d; a rack of"
                        + " each of %d clusters fails alone, then all %d at once; seed %d",
                o.clusters(),
                o.hostsPerCluster(),
                o.vmsPerHost(),
                o.parallelism(),
                o.racks(),
                o.racks(),
                o.seed());
        List<String> fleetArgs =
                List.of(
                        "--latency-median",
                        o.latencyMedian().toMillis() + "ms",
                        "--latency-sigma",
                        Double.toString(o.latencySigma()));
        cluster.up(
                inst,
                new LocalCluster.FleetShape(
                        o.clusters() * o.hostsPerCluster(), o.vmsPerHost(), o.clusters(), o.seed()),
                fleetArgs);
        try (DecisionLog log =
                new DecisionLog(ClusterConfig.load(cluster.home()).bootstrap(), r -> {})) {
            cluster.submit(o.jar(), jobArgs(), o.parallelism(), PROCESS_UP);
            say("waiting for the job to be steady (3 checkpoints, then 20 s)");
            cluster.awaitSteady(3, Duration.ofSeconds(20), PROCESS_UP);
            FleetApi fleet = new FleetApi(cluster.hypervisorUrl());
            List<String> chosen = new ArrayList<>();
            for (int i = 1; i <= o.racks(); i++) {
                chosen.add("c" + i);
            }
            Map<String, Rack> aloneRacks = alike(racks(fleet.report(), Set.of()), chosen);
            Map<String, Recovery> alone = new LinkedHashMap<>();
            int phase = 0;
            for (String c : chosen) {
                phase++;
                alone.putAll(phase(fleet, log, "alone " + c, phase, Map.of(c, aloneRacks.get(c))));
            }
            Set<String> failed = new HashSet<>();
            aloneRacks.values().forEach(r -> failed.addAll(r.hosts()));
            Map<String, Rack> togetherRacks = like(racks(fleet.report(), failed), aloneRacks);
            Map<String, Recovery> together =
                    phase(fleet, log, "together", phase + 1, togetherRacks);
            List<Row> rows = new ArrayList<>();
            for (String c : chosen) {
                rows.add(new Row(c, alone.get(c), together.get(c), o.tolerance()));
            }
            JsonNode report = fleet.report();
            ChaosVerdict verdict = ChaosVerdict.of(report, rounds);
            rows = withLedger(rows, verdict);
            Result result = new Result(o, rows, verdict, List.copyOf(rounds), o.out());
            ScaleOutReport.write(result);
            ScaleOutReport.print(result, out);
            return result;
        } finally {
            say("stopping the cluster (its logs stay in %s)", cluster.home().resolve("logs"));
            cluster.down();
        }
    }

    /**
     * Fails {@code racks} at once, waits until the job has recovered each cluster's incidents (or
     * the phase timed out), repairs the hosts and lets them rejoin.
     */
    private Map<String, Recovery> phase(
            FleetApi fleet, DecisionLog log, String name, int number, Map<String, Rack> racks)
            throws Exception {
        List<String> rackIds = racks.values().stream().map(Rack::rack).toList();
        long start = System.currentTimeMillis();
        JsonNode lost = fleet.rackLoss(rackIds);
        Set<String> lostVms = new HashSet<>(texts(lost.path("vms")));
        for (Rack r : racks.values()) {
            if (!lostVms.containsAll(r.haVmIds())) {
                throw new IllegalStateException(
                        "rack " + r.rack() + " held other VMs than the fleet's report said");
            }
        }
        say(
                "phase %s: rack %s loses power (%s)",
                name,
                String.join(", ", rackIds),
                String.join(
                        "; ",
                        racks.values().stream()
                                .map(
                                        r ->
                                                String.format(
                                                        Locale.ROOT,
                                                        "%s: %d hosts, %d HA VMs",
                                                        r.cluster(),
                                                        r.hosts().size(),
                                                        r.haVms()))
                                .toList()));
        long deadline = System.nanoTime() + options.phaseTimeout().toNanos();
        long lastSaid = System.nanoTime();
        Map<String, Optional<Recovery>> done = new TreeMap<>();
        while (true) {
            List<Incident> incidents = log.incidents();
            for (Rack r : racks.values()) {
                if (done.get(r.cluster()) == null || done.get(r.cluster()).isEmpty()) {
                    Optional<Recovery> rec = recovered(r, incidents);
                    done.put(r.cluster(), rec);
                    rec.ifPresent(
                            x ->
                                    say(
                                            "  %s recovered: the job's recoveryS %s (%s)",
                                            x.cluster(),
                                            x.recoveryS() == null
                                                    ? "none"
                                                    : String.format(
                                                            Locale.ROOT, "%.1f", x.recoveryS()),
                                            String.join(", ", x.incidents())));
                }
            }
            if (done.values().stream().allMatch(Optional::isPresent)
                    || System.nanoTime() > deadline) {
                break;
            }
            if (System.nanoTime() - lastSaid > 15_000_000_000L) {
                say(
                        "  %.0f s after the failure: %d HA VMs still to restart; waiting for %s",
                        (System.currentTimeMillis() - start) / 1e3,
                        fleet.unrecovered(),
                        String.join(
                                ", ",
                                done.entrySet().stream()
                                        .filter(e -> e.getValue().isEmpty())
                                        .map(Map.Entry::getKey)
                                        .toList()));
                lastSaid = System.nanoTime();
            }
            Thread.sleep(500);
        }
        // a while more: a late or second copy, a command run again, shows in the ledger now
        Thread.sleep(5_000);
        long end = System.currentTimeMillis();
        List<String> hosts = new ArrayList<>();
        Map<String, Recovery> out = new LinkedHashMap<>();
        for (Rack r : racks.values()) {
            hosts.addAll(r.hosts());
            rounds.add(
                    new ChaosVerdict.Round(rounds.size() + 1, start, end, r.hosts(), r.haVmIds()));
            Recovery rec =
                    done.get(r.cluster())
                            .orElse(
                                    new Recovery(
                                            r.cluster(),
                                            r.rack(),
                                            r.hosts().size(),
                                            r.haVms(),
                                            List.of(),
                                            null,
                                            -1,
                                            0));
            if (done.get(r.cluster()).isEmpty()) {
                say(
                        "  %s: no recovery within %d s",
                        r.cluster(), options.phaseTimeout().toSeconds());
            }
            out.put(r.cluster(), rec);
        }
        fleet.repair(hosts);
        say("  phase %d done; the failed hosts are repaired and rejoin, empty", number);
        // the repaired hosts beat again and rejoin before the next phase
        Thread.sleep(15_000);
        return out;
    }

    /**
     * The cluster's recovery once every incident naming a host of the rack has ended (recovered,
     * partly recovered or closed) and together they name all of its hosts.
     */
    static Optional<Recovery> recovered(Rack rack, List<Incident> incidents) {
        Set<String> hosts = new HashSet<>(rack.hosts());
        Map<String, Incident> last = new LinkedHashMap<>();
        Map<String, Set<String>> named = new LinkedHashMap<>();
        for (Incident i : incidents) {
            last.put(i.getIncidentId(), i);
            named.computeIfAbsent(i.getIncidentId(), k -> new HashSet<>()).addAll(i.getHosts());
        }
        Set<String> covered = new HashSet<>();
        List<String> ids = new ArrayList<>();
        Double recovery = null;
        for (Map.Entry<String, Set<String>> e : named.entrySet()) {
            if (e.getValue().stream().noneMatch(hosts::contains)) {
                continue;
            }
            Incident i = last.get(e.getKey());
            if (!ENDED.contains(i.getState())) {
                return Optional.empty();
            }
            ids.add(e.getKey());
            covered.addAll(e.getValue());
            Double s = RecoveryTime.seconds(i);
            if (s != null) {
                recovery = recovery == null ? s : Math.max(recovery, s);
            }
        }
        if (!covered.containsAll(hosts)) {
            return Optional.empty();
        }
        return Optional.of(
                new Recovery(
                        rack.cluster(),
                        rack.rack(),
                        rack.hosts().size(),
                        rack.haVms(),
                        List.copyOf(ids),
                        recovery,
                        -1,
                        0));
    }

    /** The rows with each phase's restarts and recovery as the fleet's ledger has them. */
    private static List<Row> withLedger(List<Row> rows, ChaosVerdict verdict) {
        // the rounds are in phase order: one per cluster alone, then one per cluster together
        List<ChaosVerdict.Recovery> recs = verdict.recoveries();
        int n = rows.size();
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            out.add(
                    new Row(
                            r.cluster(),
                            ledger(r.alone(), recs.get(i)),
                            ledger(r.together(), recs.get(n + i)),
                            r.tolerance()));
        }
        return out;
    }

    private static Recovery ledger(Recovery r, ChaosVerdict.Recovery l) {
        return new Recovery(
                r.cluster(),
                r.rack(),
                r.hosts(),
                r.haVms(),
                r.incidents(),
                r.recoveryS(),
                l.recoveryMs() < 0 ? -1 : l.recoveryMs() / 1e3,
                l.restarted());
    }

    /**
     * Every rack of the fleet's report that may fail: all its hosts powered, with a BMC, none a
     * spare nor in {@code exclude}, and at least one HA VM on it.
     */
    static List<Rack> racks(JsonNode report, Set<String> exclude) {
        Map<String, String> rackOf = new TreeMap<>();
        Map<String, List<JsonNode>> byRack = new TreeMap<>();
        for (JsonNode h : report.path("hosts")) {
            byRack.computeIfAbsent(h.path("rack").asText(), k -> new ArrayList<>()).add(h);
            rackOf.put(h.path("host").asText(), h.path("rack").asText());
        }
        Map<String, List<String>> ha = new TreeMap<>();
        Map<String, Integer> all = new TreeMap<>();
        for (JsonNode v : report.path("vms")) {
            String rack = rackOf.get(v.path("host").asText());
            if (rack != null) {
                all.merge(rack, 1, Integer::sum);
                if (v.path("ha").asBoolean()) {
                    ha.computeIfAbsent(rack, k -> new ArrayList<>()).add(v.path("vm").asText());
                }
            }
        }
        List<Rack> out = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> e : byRack.entrySet()) {
            List<JsonNode> hs = e.getValue();
            boolean usable =
                    hs.stream()
                            .allMatch(
                                    h ->
                                            h.path("on").asBoolean()
                                                    && h.path("bmc").asBoolean()
                                                    && !h.path("spare").asBoolean()
                                                    && !exclude.contains(h.path("host").asText()));
            List<String> haVms = ha.getOrDefault(e.getKey(), List.of());
            if (usable && !haVms.isEmpty()) {
                out.add(
                        new Rack(
                                hs.get(0).path("cluster").asText(),
                                e.getKey(),
                                hs.stream().map(h -> h.path("host").asText()).toList(),
                                List.copyOf(haVms),
                                all.get(e.getKey())));
            }
        }
        return out;
    }

    /**
     * One rack of each cluster, all of one shape (as many hosts, as many HA VMs): the shape most
     * clusters share, the largest of those; a cluster without it takes its nearest rack.
     */
    static Map<String, Rack> alike(List<Rack> racks, List<String> clusters) {
        Map<List<Integer>, Set<String>> shapes =
                new TreeMap<>(Comparator.comparing(List::toString));
        for (Rack r : racks) {
            if (clusters.contains(r.cluster())) {
                shapes.computeIfAbsent(List.of(r.hosts().size(), r.haVms()), k -> new HashSet<>())
                        .add(r.cluster());
            }
        }
        List<Integer> best =
                shapes.entrySet().stream()
                        .max(
                                Comparator.comparingInt(
                                                (Map.Entry<List<Integer>, Set<String>> e) ->
                                                        e.getValue().size())
                                        .thenComparingInt(e -> e.getKey().get(0))
                                        .thenComparingInt(e -> e.getKey().get(1)))
                        .map(Map.Entry::getKey)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "no rack of " + clusters + " can fail"));
        Map<String, Rack> out = new LinkedHashMap<>();
        for (String c : clusters) {
            out.put(c, nearest(racks, c, best.get(0), best.get(1)));
        }
        return out;
    }

    /**
     * One rack of each cluster of {@code like}, of the same shape as its rack there, or nearest.
     */
    static Map<String, Rack> like(List<Rack> racks, Map<String, Rack> like) {
        Map<String, Rack> out = new LinkedHashMap<>();
        like.forEach((c, r) -> out.put(c, nearest(racks, c, r.hosts().size(), r.haVms())));
        return out;
    }

    private static Rack nearest(List<Rack> racks, String cluster, int hosts, int haVms) {
        return racks.stream()
                .filter(r -> r.cluster().equals(cluster))
                .min(
                        Comparator.comparingInt((Rack r) -> Math.abs(r.hosts().size() - hosts))
                                .thenComparingInt(r -> Math.abs(r.haVms() - haVms))
                                .thenComparing(Rack::rack))
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "cluster " + cluster + " has no rack to fail"));
    }

    private void say(String format, Object... args) {
        out.printf(
                Locale.ROOT,
                "[%6.1f s] %s%n",
                (System.nanoTime() - runStart) / 1e9,
                String.format(Locale.ROOT, format, args));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
