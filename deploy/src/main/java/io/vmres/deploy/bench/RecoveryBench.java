package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.engine.ClusterEngine;
import io.vmres.engine.ExecutionMode;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.sim.SimHypervisor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * {@code vmres bench recovery}: a rack of a fleet loses power; the cluster engine recovers its VMs
 * in event time (the replay engine with its simulated hypervisor, so that hours of a serial
 * recovery take seconds), once as vmres does (parallel) and once as a recovery manager without
 * parallelism would (serial: one command at a time, a disk mapping per VM). Prints both recovery
 * times, their ratio, the ratio of the parallel one to the critical-path lower bound, and a plot of
 * the VMs recovered over time.
 */
public final class RecoveryBench {
    /** Where the fleet's event time starts. */
    static final long T0 = Times.parse("2026-03-01T00:00:00Z");

    private static final String CLUSTER = "c1";
    private static final long HEARTBEAT_EVERY_MS = 5_000;

    /** The fleet settles for two minutes before the rack loses power. */
    private static final long CRASH_AFTER_MS = 120_000;

    /**
     * A serial recovery of the default fleet takes about nine hours: a run stops after two days.
     */
    private static final long GIVE_UP_AFTER_MS = 48L * 3600 * 1000;

    private static final int VMS_PER_HOST = 25;
    private static final double HOST_CPU = 128;
    private static final double HOST_MEM_MB = 512 * 1024;
    private static final double VM_CPU = 4;
    private static final double VM_MEM_MB = 16 * 1024;
    private static final int[] PRIORITIES = {100, 500, 900};

    private RecoveryBench() {}

    /** The fleet: hosts in racks of a tenth of the fleet, one of which loses power. */
    record Fleet(
            int hosts,
            int failedHosts,
            String failedRack,
            List<HostEvent> hostEvents,
            List<VmEvent> vmEvents,
            long[] phaseMs,
            long[] offAfterMs,
            boolean[] inFailedRack,
            int failedVms) {

        /** Hosts that may take the failed rack's VMs: every host outside the failed rack. */
        int targets() {
            return hosts - failedHosts;
        }
    }

    /** One recovery of the fleet's rack in one execution mode. */
    record Run(
            ExecutionMode mode,
            double recoverySeconds,
            double detectionSeconds,
            int vmsRecovered,
            int vmsUnplaced,
            int vmsFailed,
            Map<String, Integer> commands,
            int maxVmsPerTarget,
            List<Double> recoveredAtSeconds,
            double wallSeconds,
            long eventsApplied) {}

    /** The critical path of a recovery, every term in seconds. */
    record LowerBound(
            double detection,
            double fence,
            double map,
            int waves,
            double restart,
            int balancedPerTarget) {
        double total() {
            return detection + fence + map + waves * restart;
        }
    }

    public static int run(BenchArgs args, PrintStream console) throws Exception {
        Settings settings = Settings.DEFAULTS;
        Fleet fleet = fleet(args.hosts(), args.seed());
        console.printf(
                Locale.ROOT,
                "fleet: %,d hosts in one cluster, %,d VMs; rack %s (%d hosts, %,d VMs) loses power at"
                        + " %s, its BMCs reading off%n",
                fleet.hosts(),
                fleet.vmEvents().size(),
                fleet.failedRack(),
                fleet.failedHosts(),
                fleet.failedVms(),
                Times.format(T0 + CRASH_AFTER_MS));
        console.printf(
                Locale.ROOT,
                "settings: maxInFlightPerTarget %d, maxInFlightPerCluster %d; simulated latencies: fence"
                        + " %.0f s, map %.0f s, restart %.0f s%n",
                settings.maxInFlightPerTarget(),
                settings.maxInFlightPerCluster(),
                SimHypervisor.latency("FENCE_HOST") / 1000.0,
                SimHypervisor.latency("MAP_DISKS") / 1000.0,
                SimHypervisor.latency("RESTART_VM") / 1000.0);

        console.println("parallel: recovering in event time...");
        Run parallel;
        if (args.recording().isPresent()) {
            try (RecordingWriter w =
                    new RecordingWriter(args.recording().get(), fleet, args.seed())) {
                parallel = simulate(fleet, settings, ExecutionMode.PARALLEL, console, w);
            }
            console.println("  its input: " + args.recording().get());
        } else {
            parallel = simulate(fleet, settings, ExecutionMode.PARALLEL, console, null);
        }
        printRun(console, parallel);
        console.println("serial: recovering in event time, one command at a time...");
        Run serial = simulate(fleet, settings, ExecutionMode.SERIAL, console, null);
        printRun(console, serial);

        LowerBound bound = lowerBound(fleet, settings, parallel);
        double speedup = serial.recoverySeconds() / parallel.recoverySeconds();
        double ratio = parallel.recoverySeconds() / bound.total();
        console.println();
        console.printf(
                Locale.ROOT,
                "lower bound: detection %.0f s + fence %.0f s + map %.0f s + %d restart waves x %.0f s"
                        + " = %.1f s%n",
                bound.detection(),
                bound.fence(),
                bound.map(),
                bound.waves(),
                bound.restart(),
                bound.total());
        console.printf(
                Locale.ROOT,
                "  (waves: %,d VMs, at most %d per target over %d targets in a balanced plan (this plan:"
                        + " %d), %d in flight per target, %d per cluster)%n",
                parallel.vmsRecovered(),
                bound.balancedPerTarget(),
                fleet.targets(),
                parallel.maxVmsPerTarget(),
                settings.maxInFlightPerTarget(),
                settings.maxInFlightPerCluster());
        console.printf(Locale.ROOT, "%-22s %12s %10s%n", "", "recovery", "ratio");
        console.printf(Locale.ROOT, "%-22s %10.1f s %10s%n", "lower bound", bound.total(), "1.00x");
        console.printf(
                Locale.ROOT,
                "%-22s %10.1f s %9.3fx   of the lower bound (target: at most 1.10x)%n",
                "parallel (vmres)",
                parallel.recoverySeconds(),
                ratio);
        console.printf(
                Locale.ROOT,
                "%-22s %10.1f s %9.1fx   slower than parallel (%s; target: at least 100x)%n",
                "serial (baseline)",
                serial.recoverySeconds(),
                speedup,
                hours(serial.recoverySeconds()));
        console.println();
        console.print(asciiPlot(parallel, bound.total()));

        if (args.plot().isPresent()) {
            Files.writeString(
                    args.plot().get(),
                    svgPlot(parallel, serial, bound.total()),
                    StandardCharsets.UTF_8);
            console.println("plot: " + args.plot().get());
        }
        if (args.json().isPresent()) {
            writeJson(args.json().get(), fleet, settings, parallel, serial, bound, speedup, ratio);
            console.println("figures: " + args.json().get());
        }
        return 0;
    }

    // ------------------------------------------------------------------ the fleet

    static Fleet fleet(int hosts, long seed) {
        if (hosts < 20) {
            throw new IllegalArgumentException("bench recovery needs at least 20 hosts");
        }
        Random random = new Random(seed);
        int rackSize = hosts / 10;
        // whole racks only: a last, partial rack never fails
        String failedRack = rack(random.nextInt(hosts / rackSize));
        List<HostEvent> hostEvents = new ArrayList<>();
        List<VmEvent> vmEvents = new ArrayList<>();
        long[] phase = new long[hosts];
        long[] offAfter = new long[hosts];
        boolean[] inRack = new boolean[hosts];
        int failedVms = 0;
        int failedHosts = 0;
        long seq = 0;
        for (int i = 0; i < hosts; i++) {
            String h = host(i);
            String rack = rack(i / rackSize);
            hostEvents.add(
                    new HostEvent(
                            T0,
                            seq++,
                            h,
                            CLUSTER,
                            HOST_CPU,
                            HOST_MEM_MB,
                            rack,
                            "pd-" + rack,
                            "kvm",
                            List.of("sd-1"),
                            false,
                            true));
            phase[i] = random.nextInt((int) HEARTBEAT_EVERY_MS);
            offAfter[i] = 2_000 + random.nextInt(2_000);
            inRack[i] = rack.equals(failedRack);
            failedHosts += inRack[i] ? 1 : 0;
        }
        int k = 0;
        for (int i = 0; i < hosts; i++) {
            for (int j = 0; j < VMS_PER_HOST; j++) {
                String vm = String.format(Locale.ROOT, "vm-%05d", ++k);
                vmEvents.add(
                        new VmEvent(
                                T0 + 1,
                                seq++,
                                vm,
                                host(i),
                                VM_CPU,
                                VM_MEM_MB,
                                PRIORITIES[random.nextInt(PRIORITIES.length)],
                                true,
                                null,
                                "sd-1",
                                List.of("vol-" + vm.substring(3)),
                                List.of()));
                if (inRack[i]) {
                    failedVms++;
                }
            }
        }
        return new Fleet(
                hosts,
                failedHosts,
                failedRack,
                hostEvents,
                vmEvents,
                phase,
                offAfter,
                inRack,
                failedVms);
    }

    private static String host(int i) {
        return String.format(Locale.ROOT, "h-%04d", i + 1);
    }

    private static String rack(int r) {
        return String.format(Locale.ROOT, "r%02d", r + 1);
    }

    // ------------------------------------------------------------------ one recovery

    /**
     * Runs the fleet through one cluster engine: inventory, heartbeats every 5 s while there is
     * work (targets must stay alive for the whole recovery, serial hours included), the rack's
     * silence and its BMCs reading off; then the engine's own work to its end. With a {@code
     * recording}, the input goes to it as well.
     */
    static Run simulate(
            Fleet fleet,
            Settings settings,
            ExecutionMode mode,
            PrintStream console,
            RecordingWriter recording)
            throws IOException {
        long wall0 = System.nanoTime();
        ClusterEngine engine =
                new ClusterEngine(
                        CLUSTER, settings, ClusterEngine.Hypervisor.SIMULATED, false, mode);
        Capture out = new Capture(fleet.failedVms(), mode, console, wall0);
        long crashAt = T0 + CRASH_AFTER_MS;
        long seq = fleet.hostEvents().size() + fleet.vmEvents().size();
        long events = 0;
        long last = T0;
        for (long tick = T0; tick < T0 + GIVE_UP_AFTER_MS; tick += HEARTBEAT_EVERY_MS) {
            TreeMap<Long, List<Event>> batch = new TreeMap<>();
            if (tick == T0) {
                batch.computeIfAbsent(T0, x -> new ArrayList<>()).addAll(fleet.hostEvents());
                batch.computeIfAbsent(T0 + 1, x -> new ArrayList<>()).addAll(fleet.vmEvents());
            }
            for (int i = 0; i < fleet.hosts(); i++) {
                long ts = tick + fleet.phaseMs()[i];
                String h = fleet.hostEvents().get(i).host();
                if (!fleet.inFailedRack()[i] || ts < crashAt) {
                    List<Event> at = batch.computeIfAbsent(ts, x -> new ArrayList<>());
                    at.add(new Heartbeat(ts, seq++, h, "mgmt"));
                    at.add(new Heartbeat(ts, seq++, h, "storage"));
                }
                long off = crashAt + fleet.offAfterMs()[i];
                if (fleet.inFailedRack()[i] && off >= tick && off < tick + HEARTBEAT_EVERY_MS) {
                    batch.computeIfAbsent(off, x -> new ArrayList<>())
                            .add(new Power(off, seq++, h, "off"));
                }
            }
            for (Map.Entry<Long, List<Event>> e : batch.entrySet()) {
                List<Event> at = e.getValue();
                at.sort((a, b) -> Long.compare(a.seq(), b.seq()));
                if (recording != null) {
                    recording.write(at);
                }
                engine.advance(e.getKey(), at, out);
                events += at.size();
                last = e.getKey();
            }
            if (tick > crashAt + 60_000 && done(engine)) {
                break;
            }
        }
        engine.endOfInput(last);
        while (engine.nextDue() != Long.MAX_VALUE) {
            engine.advance(engine.nextDue(), List.of(), out);
        }
        IncidentFigures rack = null;
        for (IncidentFigures f : engine.figures()) {
            if (f.kind().equals("HOST_FAILURE")) {
                rack = f;
            }
        }
        if (rack == null || rack.lastRecoveryTs() == null) {
            throw new IllegalStateException(mode + ": the rack's VMs were not recovered");
        }
        long start = rack.failureStartTs();
        List<Double> at = new ArrayList<>();
        for (long t : out.recoveredAt) {
            at.add((t - start) / 1000.0);
        }
        int maxPerTarget = 0;
        for (int n : out.perTarget.values()) {
            maxPerTarget = Math.max(maxPerTarget, n);
        }
        return new Run(
                mode,
                (rack.lastRecoveryTs() - start) / 1000.0,
                (rack.openedTs() - start) / 1000.0,
                rack.vmsRecovered(),
                rack.vmsUnplaced(),
                rack.vmsFailed(),
                out.commands,
                maxPerTarget,
                at,
                (System.nanoTime() - wall0) / 1e9,
                events);
    }

    /** Writes the events a run applies as a recording (spec: Input events). */
    static final class RecordingWriter implements AutoCloseable {
        private final ObjectMapper json = new ObjectMapper();
        private final java.io.BufferedWriter out;

        RecordingWriter(Path file, Fleet fleet, long seed) throws IOException {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            com.fasterxml.jackson.databind.node.ObjectNode meta = json.createObjectNode();
            meta.put("type", "meta");
            meta.put("name", "bench-recovery-" + fleet.hosts() + "-hosts-seed-" + seed);
            meta.put(
                    "description",
                    String.format(
                            Locale.ROOT,
                            "vmres bench recovery: %d hosts, %d VMs; rack %s (%d hosts, %d VMs) loses power",
                            fleet.hosts(),
                            fleet.vmEvents().size(),
                            fleet.failedRack(),
                            fleet.failedHosts(),
                            fleet.failedVms()));
            line(meta);
        }

        void write(List<Event> events) throws IOException {
            for (Event e : events) {
                com.fasterxml.jackson.databind.node.ObjectNode o = json.createObjectNode();
                o.put("type", e.type());
                o.put("ts", Times.format(e.ts()));
                if (e instanceof HostEvent h) {
                    o.put("host", h.host());
                    o.put("cluster", h.cluster());
                    o.put("cpu", h.cpu());
                    o.put("memMb", h.memMb());
                    o.put("rack", h.rack());
                    o.put("powerDomain", h.powerDomain());
                    o.put("hypervisor", h.hypervisor());
                    h.storageDomains().forEach(o.putArray("storageDomains")::add);
                    o.put("spare", h.spare());
                    o.put("bmc", h.bmc());
                } else if (e instanceof VmEvent v) {
                    o.put("vm", v.vm());
                    o.put("host", v.host());
                    o.put("cpu", v.cpu());
                    o.put("memMb", v.memMb());
                    o.put("priority", v.priority());
                    o.put("ha", v.ha());
                    o.put("storageDomain", v.storageDomain());
                    v.disks().forEach(o.putArray("disks")::add);
                } else if (e instanceof Heartbeat hb) {
                    o.put("host", hb.host());
                    o.put("channel", hb.channel());
                } else if (e instanceof Power p) {
                    o.put("host", p.host());
                    o.put("state", p.state());
                } else {
                    throw new IllegalArgumentException("no recording line for " + e.type());
                }
                line(o);
            }
        }

        private void line(JsonNode o) throws IOException {
            out.write(json.writeValueAsString(o));
            out.write('\n');
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /** Every incident of the engine reached RECOVERED, PARTIAL or CLOSED. */
    private static boolean done(ClusterEngine engine) {
        List<IncidentFigures> all = engine.figures();
        if (all.isEmpty()) {
            return false;
        }
        for (IncidentFigures f : all) {
            if (f.state().equals("OPEN") || f.state().equals("RECOVERING")) {
                return false;
            }
        }
        return true;
    }

    /** What a run's engine decided: command counts and the instants VMs were recovered. */
    private static final class Capture implements Output {
        private final int owed;
        private final ExecutionMode mode;
        private final PrintStream console;
        private final long wall0;
        final Map<String, Integer> commands = new LinkedHashMap<>();
        final Map<String, String> restartTarget = new HashMap<>();
        final TreeMap<String, Integer> perTarget = new TreeMap<>();
        final List<Long> recoveredAt = new ArrayList<>();
        private long firstRecovery = -1;
        private int nextReport = 1;

        Capture(int owed, ExecutionMode mode, PrintStream console, long wall0) {
            this.owed = owed;
            this.mode = mode;
            this.console = console;
            this.wall0 = wall0;
            for (String a : List.of("FENCE_HOST", "MAP_DISKS", "RESTART_VM", "LIVE_MIGRATE_VM")) {
                commands.put(a, 0);
            }
        }

        @Override
        public void command(CommandOut c) {
            commands.merge(c.action(), 1, Integer::sum);
            if (c.action().equals("RESTART_VM")) {
                restartTarget.put(c.commandId(), c.target());
            }
        }

        @Override
        public void result(ResultOut r) {
            String target = restartTarget.remove(r.commandId());
            if (target == null || !r.status().equals("SUCCEEDED")) {
                return;
            }
            perTarget.merge(target, 1, Integer::sum);
            recoveredAt.add(r.ts());
            if (firstRecovery < 0) {
                firstRecovery = r.ts();
            }
            // a long (serial) run tells how far it is, every tenth of the VMs
            if (recoveredAt.size() * 10 >= nextReport * owed && nextReport < 10) {
                console.printf(
                        Locale.ROOT,
                        "  %s: %,d of %,d VMs recovered, %s of event time (%.1f s)%n",
                        mode.name().toLowerCase(Locale.ROOT),
                        recoveredAt.size(),
                        owed,
                        hours((r.ts() - T0 - CRASH_AFTER_MS) / 1000.0),
                        (System.nanoTime() - wall0) / 1e9);
                while (recoveredAt.size() * 10 >= nextReport * owed) {
                    nextReport++;
                }
            }
        }

        @Override
        public void incident(IncidentOut incident) {}

        @Override
        public void alert(AlertOut alert) {}
    }

    // ------------------------------------------------------------------ the lower bound

    /**
     * Detection timeout + fence (when a host's power does not read off) + one disk mapping + the
     * restarts packed into the in-flight limits: the VMs spread evenly over the targets, each
     * target restarting {@code maxInFlightPerTarget} at a time, the cluster {@code
     * maxInFlightPerCluster}.
     */
    static LowerBound lowerBound(Fleet fleet, Settings s, Run parallel) {
        int vms = parallel.vmsRecovered();
        int balanced = (vms + fleet.targets() - 1) / fleet.targets();
        int waves =
                Math.max(
                        ceilDiv(balanced, s.maxInFlightPerTarget()),
                        ceilDiv(vms, s.maxInFlightPerCluster()));
        // the rack's BMCs read off before it is declared failed: it is known down without a fence
        double fence = parallel.commands().get("FENCE_HOST") > 0 ? latencyS("FENCE_HOST") : 0;
        return new LowerBound(
                (s.heartbeatTimeoutMs() + s.outOfOrdernessMs()) / 1000.0,
                fence,
                latencyS("MAP_DISKS"),
                waves,
                latencyS("RESTART_VM"),
                balanced);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static double latencyS(String action) {
        return SimHypervisor.latency(action) / 1000.0;
    }

    // ------------------------------------------------------------------ output

    private static void printRun(PrintStream console, Run r) {
        console.printf(
                Locale.ROOT,
                "  %s: %,d VMs recovered (%d unplaced, %d failed) in %.1f s from the failure (declared"
                        + " after %.1f s); %,d maps, %,d restarts, %,d fences; %,d events in %.1f s%n",
                r.mode().name().toLowerCase(Locale.ROOT),
                r.vmsRecovered(),
                r.vmsUnplaced(),
                r.vmsFailed(),
                r.recoverySeconds(),
                r.detectionSeconds(),
                r.commands().get("MAP_DISKS"),
                r.commands().get("RESTART_VM"),
                r.commands().get("FENCE_HOST"),
                r.eventsApplied(),
                r.wallSeconds());
    }

    private static String hours(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, (s / 60) % 60, s % 60);
    }

    /** VMs recovered over time by the parallel run, the lower bound marked. */
    static String asciiPlot(Run r, double bound) {
        int width = 60;
        int height = 10;
        List<Double> at = r.recoveredAtSeconds();
        int total = at.size();
        double xMax = Math.max(r.recoverySeconds(), bound) * 1.05;
        int[] count = new int[width];
        for (int c = 0; c < width; c++) {
            double t = xMax * (c + 1) / width;
            int n = 0;
            for (double x : at) {
                if (x <= t) {
                    n++;
                }
            }
            count[c] = n;
        }
        int boundCol = (int) Math.min(width - 1, Math.floor(bound / xMax * width));
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "VMs recovered over time (parallel; '|' marks the lower bound, %.0f s)%n",
                        bound));
        for (int row = height; row >= 1; row--) {
            double level = (double) total * row / height;
            sb.append(String.format(Locale.ROOT, "%6d |", Math.round(level)));
            for (int c = 0; c < width; c++) {
                if (count[c] >= level - 1e-9) {
                    sb.append('#');
                } else {
                    sb.append(c == boundCol ? '|' : ' ');
                }
            }
            sb.append('\n');
        }
        sb.append("       +").append("-".repeat(width)).append('\n');
        String left = "0 s";
        String right = String.format(Locale.ROOT, "%.0f s from the failure", xMax);
        sb.append("        ")
                .append(left)
                .append(" ".repeat(Math.max(1, width - left.length() - right.length())))
                .append(right)
                .append('\n');
        return sb.toString();
    }

    /** Both runs on a logarithmic time axis, the lower bound as a dashed line. */
    static String svgPlot(Run parallel, Run serial, double bound) {
        int w = 720;
        int h = 400;
        int left = 70;
        int right = 40;
        int top = 40;
        int bottom = 50;
        double xMin = 1;
        double xMax = Math.pow(10, Math.ceil(Math.log10(serial.recoverySeconds() * 1.1)));
        int total = Math.max(parallel.recoveredAtSeconds().size(), 1);
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " font-family=\"sans-serif\" font-size=\"12\">%n",
                        w,
                        h));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"22\" font-size=\"14\">VMs recovered over time after a rack loses"
                                + " power (%,d VMs)</text>%n",
                        left,
                        total));
        int pw = w - left - right;
        int ph = h - top - bottom;
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                        left,
                        top,
                        pw,
                        ph));
        for (double d = xMin; d <= xMax * 1.0001; d *= 10) {
            double x = left + pw * Math.log10(d / xMin) / Math.log10(xMax / xMin);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>%n",
                            x,
                            top,
                            x,
                            top + ph,
                            x,
                            top + ph + 18,
                            d >= 1000
                                    ? String.format(Locale.ROOT, "%.0e", d)
                                    : String.format("%.0f", d)));
        }
        for (int i = 0; i <= 4; i++) {
            double y = top + ph - ph * i / 4.0;
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
                            left - 6,
                            y + 4,
                            Math.round(total * i / 4.0)));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds from the failure (log"
                                + " scale)</text>%n",
                        left + pw / 2,
                        h - 10));
        double bx = left + pw * Math.log10(bound / xMin) / Math.log10(xMax / xMin);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\""
                                + " stroke-dasharray=\"4 3\"/>%n",
                        bx,
                        top,
                        bx,
                        top + ph));
        curve(sb, parallel, "#1f77b4", left, top, pw, ph, xMin, xMax, total);
        curve(sb, serial, "#d62728", left, top, pw, ph, xMin, xMax, total);
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" fill=\"#1f77b4\">parallel: %.0f s</text>"
                                + "<text x=\"%d\" y=\"%d\" fill=\"#d62728\">serial: %.0f s</text>"
                                + "<text x=\"%d\" y=\"%d\" fill=\"#555\">lower bound (dashed): %.0f s</text>%n",
                        left + 10,
                        top + 18,
                        parallel.recoverySeconds(),
                        left + 10,
                        top + 34,
                        serial.recoverySeconds(),
                        left + 10,
                        top + 50,
                        bound));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void curve(
            StringBuilder sb,
            Run r,
            String color,
            int left,
            int top,
            int pw,
            int ph,
            double xMin,
            double xMax,
            int total) {
        List<Double> at = new ArrayList<>(r.recoveredAtSeconds());
        at.sort(null);
        StringBuilder pts = new StringBuilder();
        double y0 = top + ph;
        pts.append(String.format(Locale.ROOT, "%d,%.1f", left, y0));
        int n = 0;
        // one point per step of a two-hundredth of the VMs keeps the file small
        int step = Math.max(1, at.size() / 200);
        for (int i = 0; i < at.size(); i++) {
            n++;
            if (n % step != 0 && i != at.size() - 1) {
                continue;
            }
            double t = Math.max(xMin, at.get(i));
            double x = left + pw * Math.log10(t / xMin) / Math.log10(xMax / xMin);
            double y = top + ph - ph * (double) n / total;
            pts.append(String.format(Locale.ROOT, " %.1f,%.1f", x, y));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                        pts,
                        color));
    }

    private static void writeJson(
            Path file,
            Fleet fleet,
            Settings s,
            Run parallel,
            Run serial,
            LowerBound bound,
            double speedup,
            double ratio)
            throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("hosts", fleet.hosts());
        doc.put("fleetVms", fleet.vmEvents().size());
        doc.put("failedRack", fleet.failedRack());
        doc.put("failedHosts", fleet.failedHosts());
        doc.put("vms", parallel.vmsRecovered());
        doc.put("parallelSeconds", round(parallel.recoverySeconds()));
        doc.put("serialSeconds", round(serial.recoverySeconds()));
        doc.put("lowerBoundSeconds", round(bound.total()));
        doc.put("speedupVsSerial", round(speedup));
        doc.put("ratioToLowerBound", round(ratio));
        Map<String, Object> lb = new LinkedHashMap<>();
        lb.put("detectionSeconds", bound.detection());
        lb.put("fenceSeconds", bound.fence());
        lb.put("mapSeconds", bound.map());
        lb.put("restartWaves", bound.waves());
        lb.put("restartSeconds", bound.restart());
        lb.put("targets", fleet.targets());
        lb.put("balancedMaxVmsPerTarget", bound.balancedPerTarget());
        lb.put("planMaxVmsPerTarget", parallel.maxVmsPerTarget());
        doc.put("lowerBound", lb);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("maxInFlightPerTarget", s.maxInFlightPerTarget());
        settings.put("maxInFlightPerCluster", s.maxInFlightPerCluster());
        settings.put("heartbeatTimeoutSeconds", s.heartbeatTimeoutMs() / 1000.0);
        settings.put("outOfOrdernessSeconds", s.outOfOrdernessMs() / 1000.0);
        doc.put("settings", settings);
        doc.put("parallel", runJson(parallel));
        doc.put("serial", runJson(serial));
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(file.toFile(), doc);
    }

    private static Map<String, Object> runJson(Run r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recoverySeconds", round(r.recoverySeconds()));
        m.put("detectionSeconds", round(r.detectionSeconds()));
        m.put("vmsRecovered", r.vmsRecovered());
        m.put("vmsUnplaced", r.vmsUnplaced());
        m.put("vmsFailed", r.vmsFailed());
        m.put("commands", r.commands());
        m.put("maxVmsPerTarget", r.maxVmsPerTarget());
        m.put("eventsApplied", r.eventsApplied());
        m.put("wallSeconds", round(r.wallSeconds()));
        List<Double> sorted = new ArrayList<>(r.recoveredAtSeconds());
        sorted.sort(null);
        m.put("recoveredAtSeconds", sorted);
        return m;
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
