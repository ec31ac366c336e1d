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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code vmres cluster scaleout}: on a fresh local cluster with many vmres clusters in its fleet,
 * one rack of each of the first {@code racks} clusters loses power on its own, one cluster after
 * the other (an alone block), and the same racks in those clusters at once (a together block). The
 * blocks alternate over the rounds, alone first in odd rounds and together first in even ones (two
 * rounds: alone, together, together, alone), so that a machine whose load drifts during the run
 * weighs on both alike. Every phase fails the very same rack of a cluster with the very same VMs on
 * it: after each phase the rack is repaired and, once its hosts rejoined, the fleet moves the VMs
 * the recovery restarted elsewhere back to it (a failback), then the run lets the job settle. Each
 * cluster's recovery time together (the median over its rounds) must equal its time alone
 * (likewise) within a tolerance: clusters never wait for each other. A recovery time is the job's
 * own {@code recoveryS} on the incident's line (from the failure start to the last successful
 * restart); the fleet's ledger must show every failed HA VM restarted once. A warm-up phase,
 * unmeasured, comes first: the job's first recoveries after its start are slower than its later
 * ones, whatever the order.
 */
public final class ScaleOutRun {
    /** A scale-out run's settings. */
    public record Options(
            int clusters,
            int hostsPerCluster,
            int vmsPerHost,
            int racks,
            int rounds,
            boolean warmUp,
            int parallelism,
            long seed,
            double tolerance,
            int maxInFlightPerCluster,
            Duration latencyMedian,
            double latencySigma,
            Duration phaseTimeout,
            Duration settle,
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
     * @param phase the phase's number in the run, from 1
     * @param together whether the phase failed a rack in every cluster at once
     * @param recoveryS the job's recoveryS (the latest of its incidents'), null when its figures
     *     have none
     * @param ledgerS the fleet's own: the failure to its last successful restart, -1 without one
     */
    public record Recovery(
            String cluster,
            String rack,
            int hosts,
            int haVms,
            int phase,
            boolean together,
            List<String> incidents,
            Double recoveryS,
            double ledgerS,
            int restarted) {}

    /**
     * A cluster's recoveries alone and together with the others, one of each per round, compared on
     * their medians: on the job's recoveryS when the job gave it for every one of them, else on the
     * fleet's ledger.
     */
    public record Row(
            String cluster, List<Recovery> alone, List<Recovery> together, double tolerance) {
        /** Whether the job's own figures are compared (else the ledger's). */
        public boolean byJob() {
            return Stream.concat(alone.stream(), together.stream())
                    .allMatch(r -> r.recoveryS() != null);
        }

        /** The median recovery time alone over the rounds, in seconds; NaN without one. */
        public double aloneS() {
            return median(alone);
        }

        /** The median recovery time together over the rounds, in seconds; NaN without one. */
        public double togetherS() {
            return median(together);
        }

        /** The recovery time compared for one phase, in seconds; NaN without one. */
        public double measure(Recovery r) {
            if (byJob()) {
                return r.recoveryS();
            }
            return r.ledgerS() >= 0 ? r.ledgerS() : Double.NaN;
        }

        private double median(List<Recovery> rs) {
            double[] s = rs.stream().mapToDouble(this::measure).sorted().toArray();
            if (s.length == 0 || Arrays.stream(s).anyMatch(Double::isNaN)) {
                return Double.NaN;
            }
            int m = s.length / 2;
            return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
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
            List<Recovery> phases,
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
    // the phases measured, and for each its round of the ledger (a warm-up has one, unmeasured)
    private final List<Recovery> measured = new ArrayList<>();
    private final List<Integer> ledgerRound = new ArrayList<>();
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
                        + " each of %d clusters fails alone, and in all %d at once, in %d"
                        + " rounds of alternating order (%s); seed %d",
                o.clusters(),
                o.hostsPerCluster(),
                o.vmsPerHost(),
                o.parallelism(),
                o.racks(),
                o.racks(),
                o.rounds(),
                String.join(", ", order(o.rounds())),
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
            // one rack of each cluster, failed again in every phase: the failback after each
            // phase puts the very same VMs back on it
            Map<String, Rack> racks = alike(racks(fleet.report(), Set.of()), chosen);
            say(
                    "the racks that fail, in every phase: %s",
                    String.join(
                            "; ",
                            racks.values().stream()
                                    .map(
                                            r ->
                                                    String.format(
                                                            Locale.ROOT,
                                                            "%s %s (%d hosts, %d HA VMs)",
                                                            r.cluster(),
                                                            r.rack(),
                                                            r.hosts().size(),
                                                            r.haVms()))
                                    .toList()));
            int phase = 0;
            if (o.warmUp()) {
                // the job's first recoveries after its start are slower than the later ones
                // (JIT, caches, state): one unmeasured phase first, racks of every cluster at once
                phase(fleet, log, "warm-up (not measured)", 0, true, racks);
            }
            for (String block : order(o.rounds())) {
                if (block.equals("together")) {
                    phase(fleet, log, "together", ++phase, true, racks);
                } else {
                    for (String c : chosen) {
                        phase(fleet, log, "alone " + c, ++phase, false, Map.of(c, racks.get(c)));
                    }
                }
            }
            JsonNode report = fleet.report();
            ChaosVerdict verdict = ChaosVerdict.of(report, rounds);
            List<Recovery> phases = withLedger(measured, ledgerRound, verdict);
            List<Row> rows = rows(chosen, phases, o.tolerance());
            Result result = new Result(o, rows, phases, verdict, List.copyOf(rounds), o.out());
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
    private void phase(
            FleetApi fleet,
            DecisionLog log,
            String name,
            int number,
            boolean together,
            Map<String, Rack> racks)
            throws Exception {
        List<String> rackIds = racks.values().stream().map(Rack::rack).toList();
        // the incidents of earlier phases name the same hosts: only those after this failure count
        Set<String> earlier = new HashSet<>();
        log.incidents().forEach(i -> earlier.add(i.getIncidentId()));
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
                "phase %d, %s: rack %s loses power (%s)",
                number,
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
                    Optional<Recovery> rec = recovered(r, number, together, incidents, earlier);
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
                                            number,
                                            together,
                                            List.of(),
                                            null,
                                            -1,
                                            0));
            if (done.get(r.cluster()).isEmpty()) {
                say(
                        "  %s: no recovery within %d s",
                        r.cluster(), options.phaseTimeout().toSeconds());
            }
            if (number > 0) {
                measured.add(rec);
                ledgerRound.add(rounds.size() - 1);
            }
        }
        fleet.repair(hosts);
        say("  phase %d done; the failed hosts are repaired and rejoin, empty", number);
        // the repaired hosts beat again and rejoin before their VMs come back
        Thread.sleep(15_000);
        JsonNode back = fleet.failback(hosts);
        if (back.path("left").size() > 0) {
            say(
                    "  failback left %d VMs where they run: %s",
                    back.path("left").size(), back.path("left"));
        }
        JsonNode report = fleet.report();
        for (Rack r : racks.values()) {
            List<String> away = notBack(report, r);
            if (!away.isEmpty()) {
                throw new IllegalStateException(
                        "after the failback, "
                                + away.size()
                                + " HA VMs of rack "
                                + r.rack()
                                + " run elsewhere ("
                                + String.join(", ", away.subList(0, Math.min(5, away.size())))
                                + "): the next phase would not fail the same VMs");
            }
        }
        say(
                "  failback: %d VMs migrated back to their rack, %d already there; the job settles"
                        + " for %d s",
                back.path("moved").size(),
                back.path("republished").size(),
                options.settle().toSeconds());
        Thread.sleep(options.settle().toMillis());
    }

    /**
     * The HA VMs of the rack (as chosen) that the fleet's report does not show running on one of
     * its hosts, and only there: after a failback, none.
     */
    static List<String> notBack(JsonNode report, Rack rack) {
        Set<String> hosts = new HashSet<>(rack.hosts());
        Set<String> ha = new HashSet<>(rack.haVmIds());
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode v : report.path("vms")) {
            String vm = v.path("vm").asText();
            if (!ha.contains(vm)) {
                continue;
            }
            seen.add(vm);
            JsonNode on = v.path("runningOn");
            if (!hosts.contains(v.path("host").asText())
                    || on.size() != 1
                    || !on.get(0).asText().equals(v.path("host").asText())) {
                out.add(vm);
            }
        }
        rack.haVmIds().stream().filter(vm -> !seen.contains(vm)).forEach(out::add);
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /**
     * The blocks in run order: round 1 alone then together, round 2 together then alone, and so on,
     * so that each kind comes as often early as late.
     */
    static List<String> order(int rounds) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            if (i % 2 == 0) {
                out.add("alone");
                out.add("together");
            } else {
                out.add("together");
                out.add("alone");
            }
        }
        return out;
    }

    /** Each cluster's row: its recoveries alone and together in run order. */
    static List<Row> rows(List<String> clusters, List<Recovery> phases, double tolerance) {
        List<Row> rows = new ArrayList<>();
        for (String c : clusters) {
            List<Recovery> mine = phases.stream().filter(p -> p.cluster().equals(c)).toList();
            rows.add(
                    new Row(
                            c,
                            mine.stream().filter(p -> !p.together()).toList(),
                            mine.stream().filter(Recovery::together).toList(),
                            tolerance));
        }
        return rows;
    }

    /**
     * The cluster's recovery once every incident naming a host of the rack, other than the {@code
     * earlier} ones (of the phases before, which failed the same rack), has ended (recovered,
     * partly recovered or closed) and together they name all of its hosts.
     */
    static Optional<Recovery> recovered(
            Rack rack, int phase, boolean together, List<Incident> incidents, Set<String> earlier) {
        Set<String> hosts = new HashSet<>(rack.hosts());
        Map<String, Incident> last = new LinkedHashMap<>();
        Map<String, Set<String>> named = new LinkedHashMap<>();
        for (Incident i : incidents) {
            if (earlier.contains(i.getIncidentId())) {
                continue;
            }
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
                        phase,
                        together,
                        List.copyOf(ids),
                        recovery,
                        -1,
                        0));
    }

    /** Each phase's recoveries with its restarts and recovery as the fleet's ledger has them. */
    private static List<Recovery> withLedger(
            List<Recovery> measured, List<Integer> ledgerRound, ChaosVerdict verdict) {
        // the ledger has one round per rack failed, in the same order as the rounds given to it
        List<ChaosVerdict.Recovery> recs = verdict.recoveries();
        List<Recovery> out = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            out.add(ledger(measured.get(i), recs.get(ledgerRound.get(i))));
        }
        return out;
    }

    private static Recovery ledger(Recovery r, ChaosVerdict.Recovery l) {
        return new Recovery(
                r.cluster(),
                r.rack(),
                r.hosts(),
                r.haVms(),
                r.phase(),
                r.together(),
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
