package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What one part of {@code vmres bench} found, and how it is written: {@code DIR/NAME.json} (a flat
 * object of every figure, the machine, the command and the targets), {@code DIR/NAME.md} (a section
 * with a table of every figure beside its baseline and target) and {@code DIR/NAME-*.svg}.
 */
public final class BenchResult {
    /** A target on a figure: at most or at least {@code bound}. */
    public record Target(boolean atMost, double bound) {
        public static Target max(double bound) {
            return new Target(true, bound);
        }

        public static Target min(double bound) {
            return new Target(false, bound);
        }

        public boolean met(double value) {
            return atMost ? value <= bound : value >= bound;
        }
    }

    /** One figure: its value, what it means, its unit, the baseline beside it, its target. */
    public record Figure(
            String key,
            double value,
            String unit,
            String meaning,
            Optional<String> baseline,
            Optional<Target> target) {}

    private final String name;
    private final Map<String, Object> machine;
    private final String command;
    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, Plot> plots = new LinkedHashMap<>();

    private record Plot(String caption, String svg) {}

    private String paragraph = "";

    /** The section a part wrote itself ({@link #readWritten}), used as it is. */
    private String written;

    private final List<String> notes = new ArrayList<>();

    public BenchResult(String name, Map<String, Object> machine, String command) {
        this.name = name;
        this.machine = Map.copyOf(machine);
        this.command = command;
    }

    public String name() {
        return name;
    }

    public Map<String, Object> machine() {
        return machine;
    }

    public List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** The figure of {@code key}; NaN when there is none. */
    public double value(String key) {
        return figures.stream()
                .filter(f -> f.key().equals(key))
                .mapToDouble(Figure::value)
                .findFirst()
                .orElse(Double.NaN);
    }

    /** What was run, in one paragraph of Markdown. */
    public BenchResult describe(String text) {
        this.paragraph = text;
        return this;
    }

    /** A line said after the table: a caveat, what a baseline is. */
    public BenchResult note(String text) {
        notes.add(text);
        return this;
    }

    public BenchResult figure(String key, double value, String unit, String meaning) {
        return add(new Figure(key, value, unit, meaning, Optional.empty(), Optional.empty()));
    }

    public BenchResult figure(
            String key, double value, String unit, String meaning, String baseline) {
        return add(
                new Figure(
                        key,
                        value,
                        unit,
                        meaning,
                        Optional.ofNullable(baseline),
                        Optional.empty()));
    }

    public BenchResult figure(
            String key, double value, String unit, String meaning, String baseline, Target target) {
        return add(
                new Figure(
                        key,
                        value,
                        unit,
                        meaning,
                        Optional.ofNullable(baseline),
                        Optional.ofNullable(target)));
    }

    private BenchResult add(Figure f) {
        if (!f.key().matches("[a-z][A-Za-z0-9]*")) {
            throw new IllegalArgumentException("figure keys are lowerCamelCase: " + f.key());
        }
        figures.removeIf(g -> g.key().equals(f.key()));
        figures.add(f);
        return this;
    }

    /** A plot {@code NAME-suffix.svg} with this caption. */
    public BenchResult plot(String suffix, String caption, String svg) {
        plots.put(name + "-" + suffix + ".svg", new Plot(caption, svg));
        return this;
    }

    /** Whether every target is met (true when there is none). */
    public boolean targetsMet() {
        return figures.stream().allMatch(f -> f.target().map(t -> t.met(f.value())).orElse(true));
    }

    /** The flat JSON object: every figure, then machine, command and targets. */
    public Map<String, Object> json() {
        Map<String, Object> doc = new LinkedHashMap<>();
        for (Figure f : figures) {
            doc.put(f.key(), jsonNumber(f.value()));
        }
        doc.put("machine", machine);
        doc.put("command", command);
        Map<String, Object> targets = new LinkedHashMap<>();
        for (Figure f : figures) {
            f.target()
                    .ifPresent(
                            t -> {
                                Map<String, Object> m = new LinkedHashMap<>();
                                m.put(t.atMost() ? "max" : "min", jsonNumber(t.bound()));
                                m.put("met", t.met(f.value()));
                                targets.put(f.key(), m);
                            });
        }
        doc.put("targets", targets);
        return doc;
    }

    /** The section of the report: {@code ## NAME}, the paragraph, the table, notes and plots. */
    public String markdown() {
        if (written != null) {
            return written;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(name).append("\n\n");
        if (!paragraph.isEmpty()) {
            sb.append(paragraph).append("\n\n");
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "`%s`: %s cores, load average %s at the start, Java %s.%n%n",
                        command,
                        machine.get("cores"),
                        machine.get("loadAverage"),
                        machine.get("java")));
        List<List<String>> rows = new ArrayList<>();
        for (Figure f : figures) {
            rows.add(
                    List.of(
                            "`" + f.key() + "`",
                            f.meaning(),
                            format(f.value()) + (f.unit().isEmpty() ? "" : " " + f.unit()),
                            f.baseline().orElse(""),
                            f.target()
                                    .map(t -> (t.atMost() ? "≤ " : "≥ ") + format(t.bound()))
                                    .orElse(""),
                            f.target()
                                    .map(t -> t.met(f.value()) ? "met" : "**missed**")
                                    .orElse("")));
        }
        sb.append(table(List.of("figure", "what", "value", "baseline", "target", ""), rows));
        for (String n : notes) {
            sb.append('\n').append(n).append('\n');
        }
        for (Map.Entry<String, Plot> p : plots.entrySet()) {
            sb.append(
                    String.format(
                            Locale.ROOT, "%n![%s](%s)%n", p.getValue().caption(), p.getKey()));
        }
        return sb.toString();
    }

    /**
     * The figures and section a part wrote itself into {@code dir} ({@code NAME.json}, {@code
     * NAME.md}): every number of its JSON a figure, its targets as they were judged.
     */
    public static BenchResult readWritten(Path dir, String name) throws IOException {
        com.fasterxml.jackson.databind.JsonNode doc =
                new ObjectMapper().readTree(dir.resolve(name + ".json").toFile());
        Map<String, Object> machine = new LinkedHashMap<>();
        doc.path("machine").fields().forEachRemaining(e -> machine.put(e.getKey(), e.getValue()));
        BenchResult r = new BenchResult(name, machine, doc.path("command").asText(""));
        com.fasterxml.jackson.databind.JsonNode targets = doc.path("targets");
        doc.fields()
                .forEachRemaining(
                        e -> {
                            if (!e.getValue().isNumber()
                                    || !e.getKey().matches("[a-z][A-Za-z0-9]*")) {
                                return;
                            }
                            com.fasterxml.jackson.databind.JsonNode t = targets.path(e.getKey());
                            Target target =
                                    t.has("max")
                                            ? Target.max(t.path("max").asDouble())
                                            : t.has("min")
                                                    ? Target.min(t.path("min").asDouble())
                                                    : null;
                            r.figure(e.getKey(), e.getValue().asDouble(), "", "", null, target);
                        });
        r.written = Files.readString(dir.resolve(name + ".md"), StandardCharsets.UTF_8);
        return r;
    }

    /** Writes {@code NAME.json}, {@code NAME.md} and the plots into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (written != null) {
            return; // the part wrote its files itself
        }
        writer().writeValue(dir.resolve(name + ".json").toFile(), json());
        Files.writeString(dir.resolve(name + ".md"), markdown(), StandardCharsets.UTF_8);
        for (Map.Entry<String, Plot> p : plots.entrySet()) {
            Files.writeString(dir.resolve(p.getKey()), p.getValue().svg(), StandardCharsets.UTF_8);
        }
    }

    /** As {@link #write(Path)}, and {@code NAME.json} also to {@code json} when given. */
    public void write(Path dir, Optional<Path> json) throws IOException {
        write(dir);
        if (json.isPresent()) {
            writer().writeValue(json.get().toFile(), json());
        }
    }

    private static com.fasterxml.jackson.databind.ObjectWriter writer() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writer();
    }

    /** A whole number as a long, others rounded to 4 significant decimals; NaN as null. */
    static Object jsonNumber(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return null;
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return (long) v;
        }
        return Double.parseDouble(String.format(Locale.ROOT, "%.4g", v));
    }

    /** A figure for a table: thousands separated, at most three decimals. */
    static String format(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    /** A Markdown table; a {@code |} in a cell is escaped. */
    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        row(sb, header);
        sb.append('|').append("---|".repeat(header.size())).append('\n');
        for (List<String> r : rows) {
            if (r.size() != header.size()) {
                throw new IllegalArgumentException(
                        "a row of " + r.size() + " cells under " + header.size() + " columns");
            }
            row(sb, r);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, List<String> cells) {
        sb.append('|');
        for (String c : cells) {
            sb.append(' ').append(c.replace("|", "\\|").replace("\n", " ")).append(" |");
        }
        sb.append('\n');
    }

    /** Cores, memory, JVM, OS and load average now: how busy the machine was. */
    public static Map<String, Object> machineNow() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        m.put("memoryBytes", memory);
        m.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        m.put(
                "java",
                System.getProperty("java.version")
                        + " ("
                        + System.getProperty("java.vm.name")
                        + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("loadAverage", loadAverage());
        return m;
    }

    /** The one-minute load average, two decimals; -1 where the system does not say. */
    public static double loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return Math.round(l * 100) / 100.0;
    }
}
