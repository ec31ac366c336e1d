package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.out.AlertOut;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingReaderTest {
    /** The project's shared scenario recordings, beside the checkout. */
    static final Path SCENARIOS = SharedFiles.SCENARIOS;

    static Path scenario(String name) {
        return SharedFiles.require(SCENARIOS.resolve(name + ".jsonl"));
    }

    private static String hb(String time) {
        return "{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"mgmt\",\"ts\":\"2026-03-01T10:"
                + time
                + "Z\"}";
    }

    private static long t(String time) {
        return Times.parse("2026-03-01T10:" + time + "Z");
    }

    private static List<RecordingReader.Item> readAll(RecordingReader r) {
        List<RecordingReader.Item> items = new ArrayList<>();
        r.forEachRemaining(items::add);
        return items;
    }

    private static RecordingReader reader(String text) {
        return RecordingReader.of(new StringReader(text), "some-incident.jsonl", Map.of());
    }

    @Test
    void linesEndAtLfCrlfOrALoneCrAndEveryPhysicalLineCounts() {
        String text =
                hb("00:00")
                        + "\r\n"
                        + "\r\n"
                        + hb("00:01")
                        + "\r"
                        + "  // note\n"
                        + "{bad\n"
                        + hb("00:02");
        RecordingReader r = reader(text);
        List<RecordingReader.Item> items = readAll(r);
        assertThat(items).hasSize(4);
        assertThat(((RecordingReader.EventItem) items.get(0)).event().seq()).isEqualTo(1);
        assertThat(((RecordingReader.EventItem) items.get(1)).event().seq()).isEqualTo(3);
        RecordingReader.BadLine bad = (RecordingReader.BadLine) items.get(2);
        assertThat(bad.deadLetter().line()).isEqualTo(5);
        assertThat(bad.deadLetter().raw()).isEqualTo("{bad");
        assertThat(((RecordingReader.EventItem) items.get(3)).event().seq()).isEqualTo(6);
        assertThat(r.stats())
                .isEqualTo(new RecordingStats("some-incident", 6, 3, 1, 0, t("00:02")));
    }

    @Test
    void rawKeepsTheLineExactlyWithoutItsBreak() {
        List<RecordingReader.Item> items = readAll(reader("  [1, 2] \t\r\nnext"));
        assertThat(((RecordingReader.BadLine) items.get(0)).deadLetter().raw())
                .isEqualTo("  [1, 2] \t");
        assertThat(((RecordingReader.BadLine) items.get(1)).deadLetter().line()).isEqualTo(2);
    }

    @Test
    void aMetaAfterBlankAndCommentLinesAppliesItsNameAndConfig() {
        RecordingReader r =
                reader(
                        "\n"
                                + "// header\n"
                                + "{\"type\":\"meta\",\"name\":\"rack\",\"config\":{\"outOfOrderness\":\"PT5S\"}}\n"
                                + hb("00:10"));
        assertThat(r.name()).isEqualTo("rack");
        assertThat(r.settings().outOfOrdernessMs()).isEqualTo(5000);
        assertThat(readAll(r)).hasSize(1);
        assertThat(r.events()).isEqualTo(1);
        assertThat(r.deadLetters()).isZero();
    }

    @Test
    void aSecondMetaLineIsBad() {
        RecordingReader r =
                reader(
                        "{\"type\":\"meta\",\"name\":\"one\"}\n"
                                + hb("00:00")
                                + "\n{\"type\":\"meta\",\"name\":\"two\"}");
        List<RecordingReader.Item> items = readAll(r);
        assertThat(items).hasSize(2);
        assertThat(((RecordingReader.BadLine) items.get(1)).deadLetter().line()).isEqualTo(3);
        assertThat(r.name()).isEqualTo("one");
    }

    @Test
    void aMetaAfterABadFirstLineIsBad() {
        RecordingReader r = reader("{oops\n{\"type\":\"meta\",\"name\":\"late meta\"}\n");
        assertThat(readAll(r)).hasSize(2).allMatch(i -> i instanceof RecordingReader.BadLine);
        assertThat(r.name()).isEqualTo("some-incident");
    }

    @Test
    void aMetaWithABadConfigIsBadAndEverySettingKeepsItsDefault() {
        RecordingReader r =
                reader(
                        "{\"type\":\"meta\",\"name\":\"x\",\"config\":{\"outOfOrderness\":\"PT5S\",\"maxAttempts\":0}}\n"
                                + hb("00:00"));
        assertThat(r.settings()).isEqualTo(Settings.DEFAULTS);
        assertThat(r.name()).isEqualTo("some-incident");
        List<RecordingReader.Item> items = readAll(r);
        assertThat(items.get(0)).isInstanceOf(RecordingReader.BadLine.class);
        assertThat(r.stats().deadLetters()).isEqualTo(1);
    }

    @Test
    void overridesComeAfterTheMetaConfig() {
        RecordingReader r =
                RecordingReader.of(
                        new StringReader(
                                "{\"type\":\"meta\",\"name\":\"x\",\"config\":{\"outOfOrderness\":\"PT5S\",\"maxAttempts\":4}}"),
                        "x.jsonl",
                        Map.of("outOfOrderness", "PT1S"));
        assertThat(r.settings().outOfOrdernessMs()).isEqualTo(1000);
        assertThat(r.settings().maxAttempts()).isEqualTo(4);
        assertThatThrownBy(
                        () ->
                                RecordingReader.of(
                                        new StringReader(""), "x.jsonl", Map.of("nope", "1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exactlyOutOfOrdernessBehindIsOnTimeAndOneMillisecondMoreIsLate() {
        RecordingReader r =
                reader(
                        hb("00:10")
                                + "\n"
                                + hb("00:08")
                                + "\n"
                                + hb("00:07.999")
                                + "\n"
                                + hb("00:11"));
        List<RecordingReader.Item> items = readAll(r);
        assertThat(items.get(1)).isInstanceOf(RecordingReader.EventItem.class);
        assertThat(items.get(2)).isInstanceOf(RecordingReader.LateLine.class);
        assertThat(items.get(3)).isInstanceOf(RecordingReader.EventItem.class);
        RecordingReader.LateLine late = (RecordingReader.LateLine) items.get(2);
        assertThat(late.deadLetter().line()).isEqualTo(3);
        assertThat(late.deadLetter().raw()).isEqualTo(hb("00:07.999"));
        AlertOut alert = late.alert();
        assertThat(alert.kind()).isEqualTo("LATE_EVENT");
        assertThat(alert.incidentId()).isNull();
        assertThat(alert.ts()).isEqualTo(t("00:10"));
        assertThat(r.stats())
                .isEqualTo(new RecordingStats("some-incident", 4, 3, 1, 1, t("00:11")));
    }

    @Test
    void theLateAlertCarriesTheLatestOnTimeTsNotALateOne() {
        // A late event never moves the watermark: the second late line is judged against 10:30 too.
        RecordingReader r =
                reader(hb("00:30") + "\n" + hb("00:20") + "\n" + hb("00:27") + "\n" + hb("00:29"));
        List<RecordingReader.Item> items = readAll(r);
        assertThat(items.get(1)).isInstanceOf(RecordingReader.LateLine.class);
        assertThat(items.get(2)).isInstanceOf(RecordingReader.LateLine.class);
        assertThat(((RecordingReader.LateLine) items.get(2)).alert().ts()).isEqualTo(t("00:30"));
        assertThat(items.get(3)).isInstanceOf(RecordingReader.EventItem.class);
    }

    @Test
    void aBadLineBehindTheWatermarkIsBadNotLate() {
        RecordingReader r =
                reader(
                        hb("00:30")
                                + "\n"
                                + "{\"type\":\"power\",\"host\":\"h1\",\"state\":\"dim\",\"ts\":\"2026-03-01T10:00:00Z\"}");
        List<RecordingReader.Item> items = readAll(r);
        assertThat(items.get(1)).isInstanceOf(RecordingReader.BadLine.class);
        assertThat(r.lateEvents()).isZero();
        assertThat(r.deadLetters()).isEqualTo(1);
    }

    @Test
    void theWatermarkFollowsTheLatestOnTimeEvent() {
        RecordingReader r =
                reader("{\"type\":\"meta\",\"name\":\"m\"}\n" + hb("00:10") + "\n" + hb("00:09"));
        assertThat(r.watermark()).isEqualTo(Long.MIN_VALUE);
        readAll(r);
        assertThat(r.watermark()).isEqualTo(t("00:08"));
    }

    @Test
    void readsTheBadAndLateScenario() throws Exception {
        try (RecordingReader r = RecordingReader.open(scenario("bad-and-late-input"), Map.of())) {
            List<Long> deadLines = new ArrayList<>();
            List<Long> lateLines = new ArrayList<>();
            for (RecordingReader.Item item : (Iterable<RecordingReader.Item>) () -> r) {
                if (item instanceof RecordingReader.BadLine b) {
                    deadLines.add(b.deadLetter().line());
                } else if (item instanceof RecordingReader.LateLine l) {
                    deadLines.add(l.deadLetter().line());
                    lateLines.add(l.deadLetter().line());
                }
            }
            assertThat(r.name()).isEqualTo("bad-and-late-input");
            assertThat(deadLines).hasSize(16).isSorted();
            assertThat(lateLines).containsExactly(9265L, 20011L);
            assertThat(r.stats())
                    .isEqualTo(
                            new RecordingStats(
                                    "bad-and-late-input",
                                    29762,
                                    29743,
                                    16,
                                    2,
                                    Times.parse("2026-03-01T10:09:59.442Z")));
        }
    }

    @Test
    void readsGzipByNameOrByMagic(@TempDir Path dir) throws Exception {
        String text = hb("00:00") + "\n" + hb("00:01") + "\n";
        Path named = dir.resolve("crash.jsonl.gz");
        Path unnamed = dir.resolve("crash2.jsonl");
        for (Path p : List.of(named, unnamed)) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        }
        try (RecordingReader r = RecordingReader.open(named, Map.of())) {
            assertThat(readAll(r)).hasSize(2);
            assertThat(r.name()).isEqualTo("crash");
        }
        try (RecordingReader r = RecordingReader.open(unnamed, Map.of())) {
            assertThat(readAll(r)).hasSize(2);
            assertThat(r.name()).isEqualTo("crash2");
        }
    }

    @Test
    void readsUtf8() throws Exception {
        String line =
                "{\"type\":\"heartbeat\",\"host\":\"hôte-é\",\"channel\":\"mgmt\",\"ts\":\"2026-03-01T10:00:00Z\"}"
                        + " x";
        Path dir = Files.createTempDirectory("rec");
        Path p = dir.resolve("u.jsonl");
        Files.writeString(p, line, StandardCharsets.UTF_8);
        try (RecordingReader r = RecordingReader.open(p, Map.of())) {
            assertThat(((RecordingReader.BadLine) r.next()).deadLetter().raw()).isEqualTo(line);
        }
        Files.delete(p);
        Files.delete(dir);
    }
}
