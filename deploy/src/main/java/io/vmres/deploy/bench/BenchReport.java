package io.vmres.deploy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code bench all}'s report: {@code DIR/report.md} from the parts' sections, and the generated
 * part of {@code docs/benchmarks.md} (between {@link #BEGIN} and {@link #END}) and of the README
 * (between {@link #HEADLINE_BEGIN} and {@link #HEADLINE_END}).
 */
public final class BenchReport {
    public static final String BEGIN = "<!-- bench:begin -->";
    public static final String END = "<!-- bench:end -->";
    public static final String HEADLINE_BEGIN = "<!-- bench:headline:begin -->";
    public static final String HEADLINE_END = "<!-- bench:headline:end -->";

    /** A part of the run: its name, its result (null when skipped) and why it was skipped. */
    public record Part(String name, BenchResult result, String skipped, double wallS) {}

    private final List<Part> parts = new ArrayList<>();
    private final Map<String, Object> machine;
    private final String command;
    private final Instant start;

    public BenchReport(Map<String, Object> machine, String command, Instant start) {
        this.machine = machine;
        this.command = command;
        this.start = start;
    }

    public void add(Part p) {
        parts.add(p);
    }

    /**
     * Figures without a target shown in the headline beside those with one: the live job's rate
     * until its engines had every record, beside its source's reading rate, which its target judges
     * (the routing holds what it read until event time passes it).
     */
    private static final Set<String> BESIDE_TARGETS = Set.of("ratioDecidedToPassthrough");

    /** Every target of every part: part, figure, value, target, met. */
    public String headline() {
        List<List<String>> rows = new ArrayList<>();
        for (Part p : parts) {
            if (p.result() == null) {
                rows.add(List.of(p.name(), "", "not run: " + p.skipped(), "", ""));
                continue;
            }
            for (BenchResult.Figure f : p.result().figures()) {
                if (f.target().isEmpty()) {
                    if (BESIDE_TARGETS.contains(f.key())) {
                        rows.add(
                                List.of(
                                        "[" + p.name() + "](#" + p.name() + ")",
                                        "`" + f.key() + "`",
                                        BenchResult.format(f.value())
                                                + (f.unit().isEmpty() ? "" : " " + f.unit()),
                                        "",
                                        "no target"));
                    }
                    continue;
                }
                BenchResult.Target t = f.target().get();
                rows.add(
                        List.of(
                                "[" + p.name() + "](#" + p.name() + ")",
                                "`" + f.key() + "`",
                                BenchResult.format(f.value())
                                        + (f.unit().isEmpty() ? "" : " " + f.unit()),
                                (t.atMost() ? "≤ " : "≥ ") + BenchResult.format(t.bound()),
                                t.met(f.value()) ? "met" : "**missed**"));
            }
        }
        return BenchResult.table(List.of("part", "figure", "value", "target", ""), rows);
    }

    /** The whole report, its sections as the parts wrote them. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# vmres benchmarks\n\n");
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Run %s by `%s` on %s cores, %.1f GiB, Java %s; load average %s at the"
                                + " start, %.2f at the end (the machine may be shared: see each"
                                + " part's own).%n%n",
                        start.truncatedTo(ChronoUnit.SECONDS),
                        command,
                        machine.get("cores"),
                        ((Number) machine.get("memoryBytes")).doubleValue() / (1L << 30),
                        machine.get("java"),
                        machine.get("loadAverage"),
                        BenchResult.loadAverage()));
        sb.append(headline()).append('\n');
        List<List<String>> times = new ArrayList<>();
        for (Part p : parts) {
            times.add(
                    List.of(
                            p.name(),
                            p.result() == null ? "skipped: " + p.skipped() : "run",
                            String.format(Locale.ROOT, "%.0f s", p.wallS())));
        }
        sb.append(BenchResult.table(List.of("part", "", "wall time"), times)).append('\n');
        for (Part p : parts) {
            if (p.result() != null) {
                sb.append(p.result().markdown()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Writes {@code DIR/report.md}. */
    public Path write(Path dir) throws IOException {
        Path report = dir.resolve("report.md");
        Files.writeString(report, markdown(), StandardCharsets.UTF_8);
        return report;
    }

    /**
     * Replaces the generated part of {@code benchmarks} (a docs page) with the report, plots linked
     * in {@code plots} (copied there from {@code dir}, relative to the page as {@code bench/}); and
     * the headline of {@code readme}, when it has its markers.
     */
    public void updateDocs(Path dir, Path benchmarks, Path readme) throws IOException {
        Path plots = benchmarks.resolveSibling("bench");
        Files.createDirectories(plots);
        try (Stream<Path> svgs = Files.list(dir)) {
            for (Path svg : svgs.filter(p -> p.toString().endsWith(".svg")).toList()) {
                Files.copy(
                        svg, plots.resolve(svg.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // the report's own title becomes a section of the page; its plots live in docs/bench/
        String body =
                markdown()
                        .replaceFirst("# vmres benchmarks\n\n", "")
                        .replaceAll("(?m)^## ", "### ")
                        .replaceAll("\\]\\(([a-z]+-[A-Za-z0-9-]*\\.svg)\\)", "](bench/$1)");
        Files.writeString(
                benchmarks,
                replaceBetween(Files.readString(benchmarks), BEGIN, END, body),
                StandardCharsets.UTF_8);
        if (Files.exists(readme) && Files.readString(readme).contains(HEADLINE_BEGIN)) {
            String head =
                    headline().replaceAll("\\(#([a-z]+)\\)", "(docs/benchmarks.md#$1)")
                            + "\nFull report: [docs/benchmarks.md](docs/benchmarks.md#measured-by-bench-all).\n";
            Files.writeString(
                    readme,
                    replaceBetween(Files.readString(readme), HEADLINE_BEGIN, HEADLINE_END, head),
                    StandardCharsets.UTF_8);
        }
    }

    /** {@code text} with what lies between the markers (kept) replaced by {@code body}. */
    public static String replaceBetween(String text, String begin, String end, String body) {
        Matcher m =
                Pattern.compile(Pattern.quote(begin) + ".*?" + Pattern.quote(end), Pattern.DOTALL)
                        .matcher(text);
        if (!m.find()) {
            throw new IllegalArgumentException("no " + begin + " ... " + end + " in the page");
        }
        String replacement = begin + "\n" + body.strip() + "\n" + end;
        return text.substring(0, m.start()) + replacement + text.substring(m.end());
    }
}
