package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code vmres bench plan}: the JMH planning benchmarks of {@code bench/} ({@code
 * PlanningBenchmark}) run from {@code bench/target/benchmarks.jar} in a process of their own; their
 * JSON results become {@code plan.json}, {@code plan.md} (benchmark, target, median, mean, p99,
 * met) and {@code plan-times.svg} (each median against its target).
 */
public final class PlanBench {
    private PlanBench() {}

    /** The benchmarks measured, in the order of the table. */
    static final List<String> BENCHMARKS =
            List.of(
                    "fullPlan",
                    "rackReplan",
                    "incrementalUpdate",
                    "incrementalUpdateOnSpare",
                    "admission");

    /** Targets of docs/benchmarks.md, Planning: the most a median may take, in ms. */
    static final Map<String, Double> TARGETS_MS =
            Map.of("fullPlan", 1000.0, "rackReplan", 50.0, "incrementalUpdate", 1.0);

    /** Short settings (about 2 min) for {@code bench all}. */
    static final List<String> QUICK =
            List.of("-f", "1", "-wi", "1", "-w", "2s", "-i", "2", "-r", "2s");

    /** The settings of docs/benchmarks.md (about 10 min). */
    static final List<String> FULL =
            List.of("-f", "2", "-wi", "3", "-w", "5s", "-i", "5", "-r", "5s");

    /** The repository this vmres runs from: deploy/target/classes is three folders down. */
    public static Path repositoryRoot() {
        try {
            Path classes =
                    Path.of(
                            PlanBench.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            return classes.getParent().getParent().getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One benchmark's times, in ms. */
    record Row(String benchmark, double median, double mean, double p99, Double targetMs) {
        Boolean met() {
            return targetMs == null ? null : median <= targetMs;
        }
    }

    /**
     * Runs the benchmarks ({@code full}: the doc's settings, else short ones) and writes the files
     * into {@code dir}; builds the benchmarks jar first when it is missing.
     *
     * @return 0 when every target is met, else 1
     */
    public static int run(Path root, boolean full, Path dir, String command, PrintStream console)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Map<String, Object> machine = Bench.machine();
        Path jar = root.resolve("bench/target/benchmarks.jar");
        if (!Files.isRegularFile(jar)) {
            console.println(
                    "plan: " + jar + " is missing: building it (mvn -pl bench -am package)");
            exec(
                    root,
                    List.of(
                            "mvn",
                            "-q",
                            "-B",
                            "-o",
                            "-DskipTests",
                            "package",
                            "-pl",
                            "bench",
                            "-am"),
                    console);
        }
        Path raw = dir.resolve("plan-jmh.json");
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", jar.toString()));
        cmd.add("PlanningBenchmark");
        cmd.addAll(full ? FULL : QUICK);
        cmd.addAll(List.of("-rf", "json", "-rff", raw.toString()));
        console.println("plan: " + String.join(" ", cmd));
        exec(root, cmd, console);
        List<Row> rows = parse(Files.readString(raw, StandardCharsets.UTF_8));
        // the benchmark and its settings, without the results file's own options
        write(dir, rows, machine, command, String.join(" ", cmd.subList(3, cmd.size() - 4)));
        console.print(table(rows));
        return rows.stream().allMatch(r -> r.met() == null || r.met()) ? 0 : 1;
    }

    /** The rows of JMH's JSON results ({@code -rf json}), in {@link #BENCHMARKS} order. */
    static List<Row> parse(String jmhJson) throws IOException {
        Map<String, Row> byName = new LinkedHashMap<>();
        for (JsonNode b : new ObjectMapper().readTree(jmhJson)) {
            String full = b.path("benchmark").asText();
            String name = full.substring(full.lastIndexOf('.') + 1);
            JsonNode m = b.path("primaryMetric");
            double scale = toMs(m.path("scoreUnit").asText());
            JsonNode pct = m.path("scorePercentiles");
            byName.put(
                    name,
                    new Row(
                            name,
                            pct.path("50.0").asDouble(Double.NaN) * scale,
                            m.path("score").asDouble(Double.NaN) * scale,
                            pct.path("99.0").asDouble(Double.NaN) * scale,
                            TARGETS_MS.get(name)));
        }
        List<Row> rows = new ArrayList<>();
        for (String n : BENCHMARKS) {
            if (byName.containsKey(n)) {
                rows.add(byName.remove(n));
            }
        }
        rows.addAll(byName.values());
        return rows;
    }

    private static double toMs(String unit) {
        return switch (unit) {
            case "s/op" -> 1000.0;
            case "ms/op" -> 1.0;
            case "us/op" -> 0.001;
            case "ns/op" -> 0.000001;
            default -> throw new IllegalArgumentException("a time per operation, not " + unit);
        };
    }

    /** The Markdown table: benchmark, target, median, mean, p99, met. */
    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| Benchmark | Target | Median | Mean | p99 | Met |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| `%s` | %s | %s | %s | %s | %s |%n",
                            r.benchmark(),
                            r.targetMs() == null ? "" : "≤ " + ms(r.targetMs()),
                            ms(r.median()),
                            ms(r.mean()),
                            ms(r.p99()),
                            r.met() == null ? "" : r.met() ? "yes" : "**no**"));
        }
        return sb.toString();
    }

    /** A time in ms with three significant digits or so, as the doc writes them. */
    static String ms(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f ms", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.2f ms", v);
        }
        return String.format(Locale.ROOT, "%.3f ms", v);
    }

    /** plan.json (flat figures, machine, command, targets), plan.md and plan-times.svg. */
    static void write(
            Path dir, List<Row> rows, Map<String, Object> machine, String command, String jmhArgs)
            throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> targets = new LinkedHashMap<>();
        for (Row r : rows) {
            doc.put(r.benchmark() + "MedianMs", round(r.median()));
            doc.put(r.benchmark() + "MeanMs", round(r.mean()));
            doc.put(r.benchmark() + "P99Ms", round(r.p99()));
            if (r.targetMs() != null) {
                targets.put(
                        r.benchmark() + "MedianMs", Map.of("max", r.targetMs(), "met", r.met()));
            }
        }
        doc.put("jmhArgs", jmhArgs);
        doc.put("machine", machine);
        doc.put("command", command);
        doc.put("targets", targets);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("plan.json").toFile(), doc);
        String md =
                "## plan\n\n"
                        + "The JMH planning benchmarks (`PlanningBenchmark`, mode SampleTime) on one"
                        + " cluster of 10,000 hosts and 200,000 VMs (`BenchFleet`, seed 42), run as"
                        + " `java -jar bench/target/benchmarks.jar "
                        + jmhArgs
                        + "`; times per operation. The targets are those of the planning design;"
                        + " `incrementalUpdateOnSpare` and `admission` have none.\n\n"
                        + table(rows)
                        + "\n![medians against targets](plan-times.svg)\n";
        Files.writeString(dir.resolve("plan.md"), md, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("plan-times.svg"), svg(rows), StandardCharsets.UTF_8);
    }

    /** Each benchmark's median (bar) and p99 (tick) on a logarithmic ms axis, its target a line. */
    static String svg(List<Row> rows) {
        int w = 720;
        int rowH = 40;
        int left = 190;
        int right = 40;
        int top = 40;
        int h = top + rows.size() * rowH + 50;
        double lo = 0.01;
        double hi = 10_000;
        double span = Math.log10(hi / lo);
        java.util.function.DoubleUnaryOperator x =
                v ->
                        left
                                + (w - left - right)
                                        * Math.log10(Math.max(lo, Math.min(hi, v)) / lo)
                                        / span;
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
                        "<text x=\"%d\" y=\"20\" font-size=\"14\">Planning benchmarks: median"
                                + " (bar), p99 (tick), target (red line); ms per operation, log"
                                + " scale</text>%n",
                        left - 150));
        for (double v = lo; v <= hi * 1.001; v *= 10) {
            double px = x.applyAsDouble(v);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                            px,
                            top,
                            px,
                            h - 40,
                            px,
                            h - 25,
                            v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.valueOf(v)));
        }
        int i = 0;
        for (Row r : rows) {
            int y = top + i++ * rowH + 8;
            double x0 = x.applyAsDouble(lo);
            boolean bad = r.met() != null && !r.met();
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                                    + "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\""
                                    + " fill=\"%s\"/>%n",
                            left - 8,
                            y + 14,
                            r.benchmark(),
                            x0,
                            y,
                            Math.max(1, x.applyAsDouble(r.median()) - x0),
                            bad ? "#d62728" : "#1f77b4"));
            double p = x.applyAsDouble(r.p99());
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\""
                                    + " stroke-width=\"2\"/>%n",
                            p,
                            y - 2,
                            p,
                            y + 22));
            if (r.targetMs() != null) {
                double t = x.applyAsDouble(r.targetMs());
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"red\""
                                        + " stroke-width=\"2\" stroke-dasharray=\"4 2\"/>%n",
                                t,
                                y - 6,
                                t,
                                y + 26));
            }
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a process in {@code dir}, its output to the console line by line. */
    private static void exec(Path dir, List<String> cmd, PrintStream console)
            throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try (var in = p.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                console.println("  " + line);
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", cmd) + " ended with " + rc);
        }
    }
}
