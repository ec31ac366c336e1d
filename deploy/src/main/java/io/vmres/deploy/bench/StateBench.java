package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.deploy.bench.LiveBenchRig.Job;
import io.vmres.deploy.bench.LiveBenchRig.Run;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code vmres bench state}: the live job's state for fleets of several sizes, in one cluster and
 * in ten: checkpoint bytes and heap per host and per VM, and checkpoint duration, from checkpoints
 * of the real job (its default hashmap backend, checkpoints every second) read from Flink's REST
 * API once the job has read the fleet's inventory and a few rounds of its telemetry.
 */
public final class StateBench {
    /** At most this many checkpoint bytes per VM. */
    public static final double TARGET_BYTES_PER_VM = 2048;

    /** A checkpoint of 10,000 hosts and 200,000 VMs within this. */
    public static final double TARGET_CHECKPOINT_S = 1.0;

    /** One fleet to measure. */
    public record Size(int hosts, int vmsPerHost, int clusters) {}

    /** The sizes, the rounds of telemetry after the inventory, checkpoints read per size. */
    public record Options(List<Size> sizes, int rounds, int checkpoints, int parallelism) {
        public static Options defaults() {
            return new Options(
                    List.of(
                            new Size(1_000, 10, 1),
                            new Size(1_000, 10, 10),
                            new Size(10_000, 20, 1),
                            new Size(10_000, 20, 10)),
                    5,
                    3,
                    2);
        }
    }

    /** What one size gave. */
    record Measured(
            Size size,
            int vms,
            long records,
            double stateBytes,
            double checkpointS,
            double checkpointMaxS,
            long heapBytes) {}

    private StateBench() {}

    public static BenchResult run(Options o, String command, PrintStream console) throws Exception {
        BenchResult result = new BenchResult("state", BenchResult.machineNow(), command);
        List<Measured> all = new ArrayList<>();
        for (Size s : o.sizes()) {
            all.add(measureAgainOnRestart(s, o, console));
        }
        List<List<String>> rows = new ArrayList<>();
        for (Measured m : all) {
            rows.add(
                    List.of(
                            String.format(Locale.ROOT, "%,d", m.size().hosts()),
                            String.format(Locale.ROOT, "%,d", m.vms()),
                            String.valueOf(m.size().clusters()),
                            String.format(Locale.ROOT, "%,.0f", m.stateBytes()),
                            String.format(Locale.ROOT, "%,.0f", m.stateBytes() / m.size().hosts()),
                            String.format(Locale.ROOT, "%,.0f", m.stateBytes() / m.vms()),
                            String.format(
                                    Locale.ROOT,
                                    "%,.0f",
                                    (double) m.heapBytes() / m.size().hosts()),
                            String.format(Locale.ROOT, "%,.0f", (double) m.heapBytes() / m.vms()),
                            String.format(
                                    Locale.ROOT,
                                    "%.3f s (max %.3f s)",
                                    m.checkpointS(),
                                    m.checkpointMaxS())));
        }
        Measured big =
                all.stream()
                        .filter(m -> m.size().hosts() >= 10_000)
                        .max((a, b) -> Double.compare(a.checkpointS(), b.checkpointS()))
                        .orElse(all.get(all.size() - 1));
        double worstPerVm =
                all.stream().mapToDouble(m -> m.stateBytes() / m.vms()).max().orElse(Double.NaN);
        double heapPerVm =
                all.stream()
                        .mapToDouble(m -> (double) m.heapBytes() / m.vms())
                        .max()
                        .orElse(Double.NaN);
        result.describe(
                        String.format(
                                Locale.ROOT,
                                "For each fleet a real broker is filled with the inventory of a"
                                        + " simulated fleet and %d one-second rounds of its"
                                        + " telemetry; the live job (LiveJob's graph, default"
                                        + " hashmap state backend, exactly-once, checkpoints every"
                                        + " second, parallelism %d) reads it all, then %d"
                                        + " checkpoints begun after its last record are read from"
                                        + " Flink's REST API (`/jobs/ID/checkpoints`): their"
                                        + " median state size and end-to-end duration. Heap is the"
                                        + " heap in use after a full GC with the job's state built,"
                                        + " less the same with the job running before anything was"
                                        + " written to its topics (the broker shares the JVM, so it"
                                        + " is an upper bound).",
                                o.rounds(),
                                o.parallelism(),
                                o.checkpoints()))
                .figure(
                        "bytesPerVm",
                        Math.rint(worstPerVm),
                        "B",
                        "checkpoint bytes per VM, the largest of every fleet",
                        null,
                        BenchResult.Target.max(TARGET_BYTES_PER_VM))
                .figure(
                        "heapBytesPerVm",
                        Math.rint(heapPerVm),
                        "B",
                        "heap per VM, the largest of every fleet")
                .figure(
                        "checkpointBytes10kHosts",
                        Math.rint(big.stateBytes()),
                        "B",
                        String.format(
                                Locale.ROOT,
                                "checkpoint of %,d hosts / %,d VMs in %d cluster(s)",
                                big.size().hosts(),
                                big.vms(),
                                big.size().clusters()))
                .figure(
                        "checkpointS10kHosts",
                        big.checkpointS(),
                        "s",
                        String.format(
                                Locale.ROOT,
                                "checkpoint duration (median) of %,d hosts / %,d VMs",
                                big.size().hosts(),
                                big.vms()),
                        String.format(Locale.ROOT, "%.3f s (max)", big.checkpointMaxS()),
                        // the target is set for 10,000 hosts: a smaller fleet says nothing of it
                        big.size().hosts() >= 10_000
                                ? BenchResult.Target.max(TARGET_CHECKPOINT_S)
                                : null);
        result.note(
                BenchResult.table(
                        List.of(
                                "hosts",
                                "VMs",
                                "clusters",
                                "checkpoint bytes",
                                "per host",
                                "per VM",
                                "heap per host",
                                "heap per VM",
                                "checkpoint duration"),
                        rows));
        List<SvgPlot.Bar> bars = new ArrayList<>();
        for (Measured m : all) {
            bars.add(
                    new SvgPlot.Bar(
                            String.format(
                                    Locale.ROOT,
                                    "%dk h, %dc",
                                    m.size().hosts() / 1000,
                                    m.size().clusters()),
                            Math.rint(m.stateBytes() / m.vms())));
        }
        result.plot(
                "bytes-per-vm",
                "checkpoint bytes per VM of each fleet; the dashed line is the target",
                SvgPlot.bars(
                        "Checkpoint bytes per VM (dashed: target 2,048)",
                        "bytes per VM",
                        bars,
                        TARGET_BYTES_PER_VM));
        return result;
    }

    /**
     * A size's measure, made again on a fresh broker (up to {@link IngestBench#ATTEMPTS} in all)
     * while the job restarts before it has read everything: its count of records read starts again
     * from a checkpoint, so the end cannot be told.
     */
    private static Measured measureAgainOnRestart(Size s, Options o, PrintStream console)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return measure(s, o, console);
            } catch (LiveBenchRig.Restarted e) {
                if (attempt == IngestBench.ATTEMPTS) {
                    throw e;
                }
                console.println("  " + e.getMessage() + "; measuring this fleet again");
            }
        }
    }

    private static Measured measure(Size s, Options o, PrintStream console) throws Exception {
        SimulatedFleet.Builder fleet =
                SimulatedFleet.builder()
                        .hosts(s.hosts())
                        .vmsPerHost(s.vmsPerHost())
                        .clusters(s.clusters())
                        .sparesPerCluster(s.hosts() / s.clusters() >= 40 ? 2 : 0)
                        // small VMs: 20 of them fit a host
                        .vmSizes(List.of(new double[] {1, 2_048}, new double[] {2, 4_096}))
                        .seed(1);
        String what =
                String.format(
                        Locale.ROOT,
                        "state: %,d hosts x %d VMs, %d cluster(s)",
                        s.hosts(),
                        s.vmsPerHost(),
                        s.clusters());
        try (LiveBenchRig rig = new LiveBenchRig(fleet, Duration.ofSeconds(1), o.parallelism());
                BenchProgress p = new BenchProgress(console, what)) {
            int vms = rig.fleet().vms().size();
            // the job starts on empty topics, so that the heap before holds its MiniCluster
            Run r =
                    rig.run(
                            Job.LIVE,
                            0,
                            () -> rig.prefill(o.rounds(), true, p),
                            Duration.ofSeconds(180 + (long) s.hosts() * s.vmsPerHost() / 500),
                            o.checkpoints(),
                            p);
            long records = rig.produced();
            JsonNode history = r.checkpoints().orElseThrow().path("history");
            List<double[]> done = new ArrayList<>(); // [size, duration s]
            for (JsonNode c : history) {
                if ("COMPLETED".equals(c.path("status").asText())
                        && done.size() < o.checkpoints()) {
                    // newest first: the checkpoints taken once the job had read everything
                    done.add(
                            new double[] {
                                c.path("state_size").asDouble(),
                                c.path("end_to_end_duration").asDouble() / 1000.0
                            });
                }
            }
            double size = median(done.stream().mapToDouble(d -> d[0]).toArray());
            double secs = median(done.stream().mapToDouble(d -> d[1]).toArray());
            double max = done.stream().mapToDouble(d -> d[1]).max().orElse(Double.NaN);
            long heap = Math.max(0, r.heapAfterBytes() - r.heapBeforeBytes());
            p.clear();
            console.printf(
                    Locale.ROOT,
                    "%s: %,d VMs, %,d records; checkpoint %,.0f bytes (%,.0f a VM) in %.3f s"
                            + " (max %.3f s); heap %,d bytes (%,.0f a VM); load average %.2f%n",
                    what,
                    vms,
                    records,
                    size,
                    size / vms,
                    secs,
                    max,
                    heap,
                    (double) heap / vms,
                    BenchResult.loadAverage());
            return new Measured(s, vms, records, size, secs, max, heap);
        }
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
