package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.commands.Replay;
import io.vmres.job.replay.ReplayJob;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code vmres bench replay}: generates a recording, replays it as {@code vmres replay} does (in
 * this JVM after a warm-up, then in a fresh JVM) and compares the rate with the pipeline's
 * passthrough baseline.
 */
public final class Bench {
    /** Kafka, parse, keyBy, keyed state, Kafka on this project's reference machine (STACK.md). */
    public static final double PASSTHROUGH_EVENTS_PER_S = 130_000;

    /** A one-hour, 400-host recording must replay in a fresh JVM within this. */
    public static final double TARGET_WALL_S = 15;

    /** Start-up at least this share of a run's wall time makes its rate say little. */
    static final double STARTUP_DOMINATES = 0.5;

    private static final int FAILURES = 10;
    private static final long SEED = 1;

    private Bench() {}

    /**
     * One measured replay; {@code cpuS}, the CPU time it took (all threads, GC included), is null
     * where it cannot be measured. On a shared machine it varies less than the wall time.
     */
    public record Run(
            String name, double wallS, Double cpuS, long events, double eventsPerS, double ratio) {
        static Run of(String name, double wallS, Double cpuS, long events) {
            double rate = events / Math.max(wallS, 1e-3);
            return new Run(
                    name,
                    round(wallS),
                    cpuS == null ? null : round(cpuS),
                    events,
                    Math.rint(rate),
                    round(rate / PASSTHROUGH_EVENTS_PER_S));
        }

        Run named(String newName) {
            return new Run(newName, wallS, cpuS, events, eventsPerS, ratio);
        }
    }

    public static int run(BenchArgs args, PrintStream console) throws Exception {
        Path dir = Files.createTempDirectory("vmres-bench");
        try {
            return replay(args, dir, console);
        } finally {
            deleteTree(dir);
        }
    }

    private static int replay(BenchArgs args, Path dir, PrintStream console) throws Exception {
        Path recording = dir.resolve("bench.jsonl");
        long t0 = System.nanoTime();
        RecordingGenerator.Result gen =
                RecordingGenerator.write(
                        recording,
                        new RecordingGenerator.Options(
                                args.hosts(),
                                10,
                                args.duration(),
                                Math.max(1, (args.hosts() + 99) / 100),
                                Math.min(FAILURES, Math.max(0, args.hosts() / 10)),
                                SEED,
                                Duration.ofSeconds(5),
                                false));
        double generateS = (System.nanoTime() - t0) / 1e9;
        long bytes = Files.size(recording);
        Map<String, Object> machine = machine();
        console.printf(
                Locale.ROOT,
                "recording: %s, %s, %s of event time, %s: %s, %.1f MB" + " (generated in %.1f s)%n",
                io.vmres.deploy.commands.Words.count(gen.hosts(), "host"),
                io.vmres.deploy.commands.Words.count(gen.vms(), "VM"),
                args.duration().toString().substring(2).toLowerCase(Locale.ROOT),
                io.vmres.deploy.commands.Words.count(gen.crashes().size(), "crash", "crashes"),
                io.vmres.deploy.commands.Words.count(gen.events(), "event"),
                bytes / 1e6,
                generateS);
        console.printf(
                Locale.ROOT,
                "machine: %s cores, %.1f GiB, Java %s, load average %.1f; parallelism %d%n",
                machine.get("cores"),
                ((Number) machine.get("memoryBytes")).doubleValue() / (1L << 30),
                machine.get("java"),
                machine.get("loadAverage"),
                args.parallelism());
        console.printf(
                Locale.ROOT,
                "%-12s %9s %8s %11s %8s   (passthrough baseline %,.0f events/s)%n",
                "run",
                "wall",
                "cpu",
                "events/s",
                "ratio",
                PASSTHROUGH_EVENTS_PER_S);

        List<Run> runs = new ArrayList<>();
        Run warmup = inThisJvm("warm-up", recording, dir.resolve("out-warmup"), args, console);
        for (int i = 1; i <= args.runs(); i++) {
            runs.add(inThisJvm("in-JVM " + i, recording, dir.resolve("out-" + i), args, console));
        }
        Run median = median(runs);
        print(console, median, "median of the in-JVM runs");
        double startupS = startup(dir, args);
        startupNote(startupS, median.wallS()).ifPresent(console::println);
        Run fresh = freshJvm(recording, dir.resolve("out-fresh"), args);
        print(console, fresh, "JVM and MiniCluster start included");
        // The target is set for the default recording only; another size says nothing about it.
        boolean targetSize = args.hosts() == 400 && args.duration().equals(Duration.ofHours(1));
        Boolean met = targetSize ? fresh.wallS() < TARGET_WALL_S : null;
        console.printf(
                Locale.ROOT,
                "target: a fresh JVM under %.0f s for a 400-host, one-hour recording (~600,000 events):"
                        + " %s%n",
                TARGET_WALL_S,
                met == null
                        ? "not measured (another size)"
                        : String.format(
                                Locale.ROOT, "%s (%.1f s)", met ? "met" : "missed", fresh.wallS()));
        if (args.json().isPresent()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("hosts", gen.hosts());
            rec.put("vms", gen.vms());
            rec.put("durationS", args.duration().toSeconds());
            rec.put("crashes", gen.crashes().size());
            rec.put("events", gen.events());
            rec.put("bytes", bytes);
            rec.put("generateS", round(generateS));
            doc.put("recording", rec);
            doc.put("machine", machine);
            doc.put("parallelism", args.parallelism());
            doc.put("passthroughEventsPerS", PASSTHROUGH_EVENTS_PER_S);
            doc.put("warmup", warmup);
            doc.put("inJvm", runs);
            doc.put("inJvmMedian", median);
            doc.put("startupS", round(startupS));
            doc.put("freshJvm", fresh);
            doc.put("targetWallS", TARGET_WALL_S);
            doc.put("targetMet", met);
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(args.json().get().toFile(), doc);
        }
        return 0;
    }

    /**
     * What to say when start-up is most of a run ({@code startupS}, the replay of no event, at
     * least {@link #STARTUP_DOMINATES} of {@code runS}): the rate then measures start-up.
     */
    static Optional<String> startupNote(double startupS, double runS) {
        if (startupS < STARTUP_DOMINATES * runS) {
            return Optional.empty();
        }
        return Optional.of(
                String.format(
                        Locale.ROOT,
                        "note: start-up dominates these figures: a replay of no event takes %.2f s"
                                + " of the %.2f s of a run here, so the rate and ratio measure the"
                                + " MiniCluster's start, not the pipeline; a larger --hosts or"
                                + " --duration measures throughput",
                        startupS,
                        runS));
    }

    /** The wall time of a replay of a recording with no event: the MiniCluster's start and stop. */
    private static double startup(Path dir, BenchArgs args) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "{\"type\":\"meta\"}\n");
        long t0 = System.nanoTime();
        Replay.replay(
                empty, dir.resolve("out-empty"), Map.of(), args.parallelism(), Optional.empty());
        return (System.nanoTime() - t0) / 1e9;
    }

    private static Run inThisJvm(
            String name, Path recording, Path out, BenchArgs args, PrintStream console)
            throws Exception {
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        ReplayJob.Result r =
                Replay.replay(recording, out, Map.of(), args.parallelism(), Optional.empty());
        double wall = (System.nanoTime() - t0) / 1e9;
        long cpu1 = processCpuNanos();
        Run run = Run.of(name, wall, cpu0 < 0 || cpu1 < 0 ? null : (cpu1 - cpu0) / 1e9, r.events());
        print(console, run, "");
        return run;
    }

    /** {@code vmres replay} as the launcher starts it: same java, JVM flags and class path. */
    private static Run freshJvm(Path recording, Path out, BenchArgs args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Cli.class.getName());
        cmd.add("replay");
        cmd.add(recording.toString());
        cmd.add("--out");
        cmd.add(out.toString());
        cmd.add("--parallelism");
        cmd.add(String.valueOf(args.parallelism()));
        File log = out.resolveSibling("fresh-jvm.log").toFile();
        Double cpu0 = childrenCpuS();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        int code = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        Double cpu1 = childrenCpuS();
        if (code != 0) {
            throw new IOException(
                    "the fresh JVM's replay failed (exit "
                            + code
                            + "): "
                            + Files.readString(log.toPath()));
        }
        long events =
                new ObjectMapper()
                        .readTree(out.resolve("summary.json").toFile())
                        .get("events")
                        .asLong();
        return Run.of("fresh JVM", wall, cpu0 == null || cpu1 == null ? null : cpu1 - cpu0, events);
    }

    private static void print(PrintStream console, Run r, String note) {
        console.printf(
                Locale.ROOT,
                "%-12s %7.2f s %8s %11s %7.2fx   %s%n",
                r.name(),
                r.wallS(),
                r.cpuS() == null ? "-" : String.format(Locale.ROOT, "%.1f s", r.cpuS()),
                String.format(Locale.ROOT, "%,.0f", r.eventsPerS()),
                r.ratio(),
                note);
    }

    private static Run median(List<Run> runs) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Run::wallS));
        return sorted.get(sorted.size() / 2).named("median");
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * CPU seconds of this process's children that have ended (Linux: {@code cutime + cstime} of
     * {@code /proc/self/stat}), or null elsewhere.
     */
    private static Double childrenCpuS() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]); // fields 16 and 17
            return ticks / 100.0; // USER_HZ, 100 on every Linux build in use
        } catch (IOException | RuntimeException e) {
            return null; // not Linux: the fresh JVM's CPU time goes unmeasured
        }
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        m.put("memoryBytes", memory);
        m.put(
                "java",
                System.getProperty("java.version")
                        + " ("
                        + System.getProperty("java.vm.name")
                        + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        // Other work on the machine makes the figures noisy: say how busy it was.
        m.put(
                "loadAverage",
                round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        return m;
    }

    private static double round(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
