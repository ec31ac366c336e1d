package io.vmres.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The bench's toolkit: its JSON, its Markdown, its SVG, the docs' generated section. */
class BenchToolkitTest {
    @TempDir Path dir;

    private static BenchResult sample() {
        return new BenchResult(
                        "ingest",
                        Map.of("cores", 2, "loadAverage", 1.5, "java", "17"),
                        "vmres bench ingest")
                .describe("What ran.")
                .figure("eventsProduced", 1000, "", "records written")
                .figure(
                        "ratioToPassthrough",
                        0.8123,
                        "",
                        "live / passthrough",
                        "1 (passthrough)",
                        BenchResult.Target.min(0.7))
                .figure("lagP99Ms", 140, "ms", "p99 | lag", null, BenchResult.Target.max(100))
                .figure("ratioDecidedToPassthrough", 0.13, "", "until the engines had it")
                .plot(
                        "rates",
                        "events/s",
                        SvgPlot.bars("t", "y", List.of(new SvgPlot.Bar("a", 1)), 0.5));
    }

    @Test
    void jsonIsFlatWithMachineCommandAndTargets() throws Exception {
        BenchResult r = sample();
        Path copy = dir.resolve("copy.json");
        r.write(dir, Optional.of(copy));
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("ingest.json").toFile());
        assertThat(doc.get("eventsProduced").isIntegralNumber()).isTrue();
        assertThat(doc.get("eventsProduced").asLong()).isEqualTo(1000);
        assertThat(doc.get("ratioToPassthrough").asDouble()).isEqualTo(0.8123);
        assertThat(doc.get("machine").get("cores").asInt()).isEqualTo(2);
        assertThat(doc.get("command").asText()).isEqualTo("vmres bench ingest");
        assertThat(doc.get("targets").get("ratioToPassthrough").get("min").asDouble())
                .isEqualTo(0.7);
        assertThat(doc.get("targets").get("ratioToPassthrough").get("met").asBoolean()).isTrue();
        assertThat(doc.get("targets").get("lagP99Ms").get("max").asDouble()).isEqualTo(100);
        assertThat(doc.get("targets").get("lagP99Ms").get("met").asBoolean()).isFalse();
        assertThat(doc.get("targets").has("eventsProduced")).isFalse();
        assertThat(new ObjectMapper().readTree(copy.toFile())).isEqualTo(doc);
        assertThat(r.targetsMet()).isFalse();
        assertThat(Files.exists(dir.resolve("ingest-rates.svg"))).isTrue();
    }

    @Test
    void markdownSectionHasItsHeadingTableAndPlots() {
        String md = sample().markdown();
        assertThat(md).startsWith("## ingest\n\nWhat ran.");
        assertThat(md)
                .contains("| figure | what | value | baseline | target |  |")
                .contains(
                        "| `ratioToPassthrough` | live / passthrough | 0.812 | 1 (passthrough) | ≥ 0.7 | met |")
                .contains("| `lagP99Ms` | p99 \\| lag | 140 ms |  | ≤ 100 | **missed** |")
                .contains("![events/s](ingest-rates.svg)");
    }

    @Test
    void tableEscapesBarsAndRefusesRaggedRows() {
        assertThat(BenchResult.table(List.of("a", "b"), List.of(List.of("x|y", "1"))))
                .isEqualTo("| a | b |\n|---|---|\n| x\\|y | 1 |\n");
        assertThatThrownBy(() -> BenchResult.table(List.of("a", "b"), List.of(List.of("x"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BenchResult("x", Map.of(), "c").figure("Bad-key", 1, "", ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyPlotIsWellFormedSvgWithoutScripts() throws Exception {
        List<String> svgs =
                List.of(
                        SvgPlot.bars(
                                "rates <live> & \"passthrough\"",
                                "events/s",
                                List.of(new SvgPlot.Bar("p", 30_000), new SvgPlot.Bar("l", 25_000)),
                                21_000),
                        SvgPlot.lines(
                                "a line",
                                "x",
                                "y",
                                List.of(
                                        new SvgPlot.Series(
                                                "s",
                                                List.of(new double[] {0, 1}, new double[] {2, 3}))),
                                false),
                        SvgPlot.lines(
                                "dots",
                                "x",
                                "y",
                                List.of(new SvgPlot.Series("s", List.of(new double[] {1, 1}))),
                                true),
                        SvgPlot.cdf(
                                "lag",
                                "ms",
                                List.of(
                                        new SvgPlot.Series(
                                                "half",
                                                List.of(
                                                        new double[] {5, 0},
                                                        new double[] {9, 0},
                                                        new double[] {7, 0})))),
                        SvgPlot.bars("empty", "y", List.of(), Double.NaN));
        for (String svg : svgs) {
            Document d =
                    DocumentBuilderFactory.newInstance()
                            .newDocumentBuilder()
                            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
            assertThat(d.getDocumentElement().getNodeName()).isEqualTo("svg");
            assertThat(d.getElementsByTagName("script").getLength()).isZero();
        }
        // the title's characters survive escaping
        Document d =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(
                                new ByteArrayInputStream(
                                        svgs.get(0).getBytes(StandardCharsets.UTF_8)));
        assertThat(d.getDocumentElement().getTextContent())
                .contains("rates <live> & \"passthrough\"");
        assertThat(svgs.get(0)).contains("stroke-dasharray"); // the target line
        assertThat(svgs.get(3)).contains("polyline");
    }

    @Test
    void niceCeilingsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(SvgPlot.niceCeil(0)).isEqualTo(1);
        assertThat(SvgPlot.niceCeil(1)).isEqualTo(1);
        assertThat(SvgPlot.niceCeil(1.2)).isEqualTo(2);
        assertThat(SvgPlot.niceCeil(34_000)).isEqualTo(50_000);
        assertThat(SvgPlot.niceCeil(0.07))
                .isEqualTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void docsSectionIsReplacedBetweenItsMarkersOnly() throws Exception {
        Path docs = Files.createDirectories(dir.resolve("docs")).resolve("benchmarks.md");
        Files.writeString(
                docs,
                "# Benchmarks\n\nby hand\n\n"
                        + BenchReport.BEGIN
                        + "\nold figures\n"
                        + BenchReport.END
                        + "\n\n## After\nkept\n");
        Path readme = dir.resolve("README.md");
        Files.writeString(
                readme,
                "intro\n"
                        + BenchReport.HEADLINE_BEGIN
                        + "\nold\n"
                        + BenchReport.HEADLINE_END
                        + "\nend\n");
        Path results = Files.createDirectories(dir.resolve("results"));
        BenchResult r = sample();
        r.write(results);
        BenchReport report =
                new BenchReport(
                        Map.of(
                                "cores",
                                2,
                                "memoryBytes",
                                1L << 30,
                                "java",
                                "17",
                                "loadAverage",
                                1.0),
                        "vmres bench all",
                        Instant.parse("2026-12-02T10:00:00Z"));
        report.add(new BenchReport.Part("ingest", r, null, 12));
        report.add(new BenchReport.Part("live", null, "not part of this build yet", 0));
        report.updateDocs(results, docs, readme);

        String page = Files.readString(docs);
        assertThat(page).startsWith("# Benchmarks\n\nby hand\n\n" + BenchReport.BEGIN + "\n");
        assertThat(page).endsWith(BenchReport.END + "\n\n## After\nkept\n");
        assertThat(page).doesNotContain("old figures");
        assertThat(page).contains("### ingest").contains("](bench/ingest-rates.svg)");
        assertThat(page).contains("not run: not part of this build yet");
        assertThat(Files.exists(dir.resolve("docs/bench/ingest-rates.svg"))).isTrue();
        assertThat(Files.readString(readme))
                .startsWith("intro\n" + BenchReport.HEADLINE_BEGIN)
                .endsWith(BenchReport.HEADLINE_END + "\nend\n")
                .contains("`ratioToPassthrough` | 0.812 | ≥ 0.7 | met")
                .contains("`ratioDecidedToPassthrough` | 0.13 |  | no target")
                .doesNotContain("`eventsProduced`")
                .doesNotContain("old");

        // run twice: the same page, nothing appended
        report.updateDocs(results, docs, readme);
        assertThat(Files.readString(docs)).isEqualTo(page);
        assertThatThrownBy(
                        () ->
                                BenchReport.replaceBetween(
                                        "no markers", BenchReport.BEGIN, BenchReport.END, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void progressPrintsAtMostEveryTenSecondsWithoutATerminal() {
        var bytes = new java.io.ByteArrayOutputStream();
        try (BenchProgress p =
                new BenchProgress(
                        new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8), "x", false)) {
            p.show("one");
            p.show("two");
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .startsWith("x: one (")
                .doesNotContain("two");
    }
}
