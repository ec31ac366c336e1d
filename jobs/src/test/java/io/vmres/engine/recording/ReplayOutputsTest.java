package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayOutputsTest {
    private static final long T0 = Times.parse("2026-03-01T10:00:00Z");
    private static final RecordingStats STATS =
            new RecordingStats("crash", 10, 7, 2, 1, T0 + 60_000);

    private static void clusterA(Output out) {
        out.incident(
                new IncidentOut(
                        "a-1", "HOST_FAILURE", List.of("h1"), "OPEN", Map.of(), T0 + 12_000));
        out.command(
                new CommandOut(
                        "a-1-1",
                        "a-1",
                        "FENCE_HOST",
                        "h1",
                        null,
                        null,
                        null,
                        null,
                        1,
                        null,
                        T0 + 12_000));
        out.incident(
                new IncidentOut(
                        "a-1", "HOST_FAILURE", List.of("h1"), "RECOVERING", Map.of(), T0 + 12_000));
        out.result(new ResultOut("a-1-1", "SUCCEEDED", "ok", T0 + 17_000));
        out.alert(new AlertOut("UNPLACED", "a-1", null, List.of("v1"), "no room", T0 + 5_000));
    }

    private static void clusterB(Output out) {
        out.command(
                new CommandOut(
                        "b-1-1",
                        "b-1",
                        "FENCE_HOST",
                        "h9",
                        null,
                        null,
                        null,
                        null,
                        1,
                        null,
                        T0 + 12_000));
        out.result(new ResultOut("b-1-1", "FAILED", "sim-fault", T0 + 17_000));
    }

    private static ReplayOutputs outputs(boolean bFirst) {
        ReplayOutputs o = new ReplayOutputs();
        List<Consumer<ReplayOutputs>> runs =
                List.of(x -> clusterA(x.forCluster("c-a")), x -> clusterB(x.forCluster("c-b")));
        if (bFirst) {
            runs = List.of(runs.get(1), runs.get(0));
        }
        runs.forEach(r -> r.accept(o));
        o.accept(
                new RecordingReader.LateLine(
                        new DeadLetterOut(8, "late by 1 s", "{\"type\":\"heartbeat\"}"),
                        new AlertOut("LATE_EVENT", null, null, List.of(), "line 8", T0 + 5_000)));
        o.deadLetter(new DeadLetterOut(3, "not JSON", "{x"));
        return o;
    }

    @Test
    void filesAreByteIdenticalWhateverOrderTheClustersRanIn(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        outputs(false).write(one, STATS, Settings.DEFAULTS, Map.of(), T0 + 60_000);
        outputs(true).write(two, STATS, Settings.DEFAULTS, Map.of(), T0 + 60_000);
        for (String f : ReplayOutputs.FILES) {
            assertThat(Files.readAllBytes(two.resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readAllBytes(one.resolve(f)));
        }
        assertThat(Files.readString(one.resolve("commands.jsonl")))
                .isEqualTo(
                        "{\"commandId\":\"a-1-1\",\"incidentId\":\"a-1\",\"action\":\"FENCE_HOST\",\"host\":\"h1\",\"attempt\":1,\"ts\":\"2026-03-01T10:00:12.000Z\"}\n"
                                + "{\"commandId\":\"b-1-1\",\"incidentId\":\"b-1\",\"action\":\"FENCE_HOST\",\"host\":\"h9\",\"attempt\":1,\"ts\":\"2026-03-01T10:00:12.000Z\"}\n");
    }

    @Test
    void linesAreMergedByTsThenClusterThenEmission() {
        ReplayOutputs o = outputs(true);
        assertThat(o.incidents())
                .extracting(IncidentOut::state)
                .containsExactly("OPEN", "RECOVERING");
        assertThat(o.results()).extracting(ResultOut::commandId).containsExactly("a-1-1", "b-1-1");
        assertThat(o.deadLetters()).extracting(DeadLetterOut::line).containsExactly(3L, 8L);
    }

    @Test
    void lateEventAlertsComeBeforeEngineAlertsOfTheSameTs() {
        assertThat(outputs(false).alerts())
                .extracting(AlertOut::kind)
                .containsExactly("LATE_EVENT", "UNPLACED");
    }

    @Test
    void endTimeIsTheLatestOfTheLastEventAndEveryLine() {
        assertThat(outputs(false).endTs(T0 + 60_000)).isEqualTo(T0 + 60_000);
        assertThat(outputs(false).endTs(T0 + 1_000)).isEqualTo(T0 + 17_000);
        assertThat(new ReplayOutputs().endTs(null)).isNull();
    }

    @Test
    void writesJsonLinesWithLfAndUtf8(@TempDir Path dir) throws Exception {
        ReplayOutputs o = new ReplayOutputs();
        o.deadLetter(new DeadLetterOut(1, "bad host", "{\"host\":\"hôte\"}"));
        o.write(dir, STATS, Settings.DEFAULTS, Map.of(), null);
        byte[] bytes = Files.readAllBytes(dir.resolve("dead-letter.jsonl"));
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo(
                        "{\"line\":1,\"reason\":\"bad host\",\"raw\":\"{\\\"host\\\":\\\"hôte\\\"}\"}\n");
        for (String f :
                List.of("commands.jsonl", "results.jsonl", "incidents.jsonl", "alerts.jsonl")) {
            assertThat(dir.resolve(f)).isEmptyFile();
        }
    }

    @Test
    void summaryHoldsTheCountsAndEveryIncidentsFigures(@TempDir Path dir) throws Exception {
        ReplayOutputs o = outputs(false);
        Map<String, List<IncidentFigures>> figures = new TreeMap<>();
        figures.put(
                "c-b",
                List.of(
                        new IncidentFigures(
                                "b-1",
                                "HOST_FAILURE",
                                List.of("h9"),
                                "PARTIAL",
                                T0 + 12_000,
                                T0 + 332,
                                T0 + 12_000,
                                T0 + 14_000,
                                T0 + 44_332,
                                2,
                                1,
                                0)));
        figures.put(
                "c-a",
                List.of(
                        new IncidentFigures(
                                "a-1",
                                "HOST_FAILURE",
                                List.of("h1"),
                                "RECOVERING",
                                T0 + 12_000,
                                null,
                                null,
                                null,
                                null,
                                0,
                                0,
                                3),
                        new IncidentFigures(
                                "a-2",
                                "MAINTENANCE",
                                List.of("h2"),
                                "OPEN",
                                T0 + 1_000,
                                T0 + 1_000,
                                null,
                                null,
                                null,
                                0,
                                0,
                                0)));
        o.write(dir, STATS, Settings.DEFAULTS, figures, T0 + 60_000);
        JsonNode s = Json.STRICT.readTree(Files.readString(dir.resolve("summary.json")));
        assertThat(s.get("recording").asText()).isEqualTo("crash");
        assertThat(s.get("lines").asLong()).isEqualTo(10);
        assertThat(s.get("events").asLong()).isEqualTo(7);
        assertThat(s.get("deadLetters").asLong()).isEqualTo(2);
        assertThat(s.get("lateEvents").asLong()).isEqualTo(1);
        assertThat(s.get("commands").asLong()).isEqualTo(2);
        assertThat(s.get("commandsFailed").asLong()).isEqualTo(1);
        assertThat(s.get("endTs").asText()).isEqualTo("2026-03-01T10:01:00.000Z");
        assertThat(s.get("settings").get("heartbeatTimeout").asText()).isEqualTo("PT10S");
        assertThat(s.get("vmsRecovered").asInt()).isEqualTo(2);
        assertThat(s.get("vmsUnplaced").asInt()).isEqualTo(1);
        assertThat(s.get("vmsFailed").asInt()).isEqualTo(3);
        JsonNode incidents = s.get("incidents");
        // By opening time, then cluster: a-2 opened first; a-1 and b-1 opened together.
        assertThat(incidents.findValuesAsText("incidentId")).containsExactly("a-2", "a-1", "b-1");
        JsonNode b = incidents.get(2);
        assertThat(b.get("openedTs").asText()).isEqualTo("2026-03-01T10:00:12.000Z");
        assertThat(b.get("detectionS").decimalValue()).isEqualByComparingTo("11.668");
        assertThat(b.get("firstCommandS").decimalValue()).isEqualByComparingTo("0");
        assertThat(b.get("lastCommandS").decimalValue()).isEqualByComparingTo("2");
        assertThat(b.get("recoveryS").decimalValue()).isEqualByComparingTo("44");
        assertThat(b.get("hosts").get(0).asText()).isEqualTo("h9");
        assertThat(b.get("state").asText()).isEqualTo("PARTIAL");
        JsonNode a1 = incidents.get(1);
        assertThat(a1.get("detectionS").decimalValue()).isEqualByComparingTo("0");
        assertThat(a1.get("firstCommandS").isNull()).isTrue();
        assertThat(a1.get("recoveryS").isNull()).isTrue();
    }
}
