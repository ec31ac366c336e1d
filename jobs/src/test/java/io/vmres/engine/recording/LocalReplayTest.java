package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalReplayTest {
    private final List<ScriptedEngine> engines = new ArrayList<>();

    private LocalReplay.Result replay(Path recording, Path out, Map<String, String> overrides)
            throws Exception {
        return LocalReplay.run(
                recording,
                out,
                overrides,
                (cluster, settings) -> {
                    ScriptedEngine e = new ScriptedEngine(cluster, 10_000);
                    engines.add(e);
                    return e;
                });
    }

    @Test
    void replaysTheBadAndLateScenarioIntoDeadLettersLateAlertsAndSummary(@TempDir Path dir)
            throws Exception {
        LocalReplay.Result r =
                replay(RecordingReaderTest.scenario("bad-and-late-input"), dir, Map.of());
        assertThat(r.stats().deadLetters()).isEqualTo(16);
        assertThat(r.stats().lateEvents()).isEqualTo(2);
        for (String f : ReplayOutputs.FILES) {
            assertThat(dir.resolve(f)).exists();
        }
        List<String> dead = Files.readAllLines(dir.resolve("dead-letter.jsonl"));
        assertThat(dead).hasSize(16);
        List<Long> lines = new ArrayList<>();
        for (String l : dead) {
            lines.add(Json.STRICT.readTree(l).get("line").asLong());
        }
        assertThat(lines).isSorted().contains(1659L, 9265L, 20011L);
        List<JsonNode> late = new ArrayList<>();
        for (String l : Files.readAllLines(dir.resolve("alerts.jsonl"))) {
            JsonNode a = Json.STRICT.readTree(l);
            if (a.get("kind").asText().equals("LATE_EVENT")) {
                late.add(a);
            }
        }
        assertThat(late)
                .extracting(a -> a.get("ts").asText())
                .containsExactly("2026-03-01T10:03:00.001Z", "2026-03-01T10:06:40.001Z");
        JsonNode s = Json.STRICT.readTree(Files.readString(dir.resolve("summary.json")));
        assertThat(s.get("recording").asText()).isEqualTo("bad-and-late-input");
        assertThat(s.get("events").asLong()).isEqualTo(29743);
        assertThat(s.get("lines").asLong()).isEqualTo(29762);
        assertThat(s.get("deadLetters").asLong()).isEqualTo(16);
        assertThat(s.get("lateEvents").asLong()).isEqualTo(2);
        assertThat(s.get("endTs").asText()).isEqualTo("2026-03-01T10:09:59.442Z");
        assertThat(engines).extracting(e -> e.cluster).containsExactly("c1");
        for (ScriptedEngine e : engines) {
            assertThat(e.violations).isEmpty();
            assertThat(e.calls).contains("endOfInput " + r.stats().lastOnTimeTs());
            assertThat(e.calls).last().asString().startsWith("giveUpAtEnd");
        }
    }

    @Test
    void twoReplaysWriteTheSameBytes(@TempDir Path dir) throws Exception {
        Path recording = RecordingReaderTest.scenario("single-host-crash");
        replay(recording, dir.resolve("a"), Map.of());
        replay(recording, dir.resolve("b"), Map.of());
        for (String f : ReplayOutputs.FILES) {
            assertThat(Files.readAllBytes(dir.resolve("b").resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(f)));
        }
    }

    @Test
    void overridesReachTheEnginesSettingsAndTheSummary(@TempDir Path dir) throws Exception {
        LocalReplay.Result r =
                replay(
                        RecordingReaderTest.scenario("bad-and-late-input"),
                        dir,
                        Map.of("outOfOrderness", "PT10S"));
        assertThat(r.settings().outOfOrdernessMs()).isEqualTo(10_000);
        // With 10 s of allowed disorder, neither late line of the scenario is late any more.
        assertThat(r.stats().lateEvents()).isZero();
        JsonNode s = Json.STRICT.readTree(Files.readString(dir.resolve("summary.json")));
        assertThat(s.get("settings").get("outOfOrderness").asText()).isEqualTo("PT10S");
    }

    @Test
    void routesEveryEventToItsClusterInEventTimeOrder(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("two-clusters.jsonl");
        Files.writeString(
                rec,
                String.join(
                        "\n",
                        "{\"type\":\"host\",\"host\":\"h1\",\"cluster\":\"c1\",\"cpu\":8,\"memMb\":8,\"ts\":\"2026-03-01T10:00:00Z\"}",
                        "{\"type\":\"sim-fault\",\"action\":\"RESTART_VM\",\"count\":1,\"ts\":\"2026-03-01T10:00:02Z\"}",
                        "{\"type\":\"heartbeat\",\"host\":\"h1\",\"channel\":\"mgmt\",\"ts\":\"2026-03-01T10:00:01Z\"}",
                        "{\"type\":\"heartbeat\",\"host\":\"ghost\",\"channel\":\"mgmt\",\"ts\":\"2026-03-01T10:00:03Z\"}",
                        "{\"type\":\"host\",\"host\":\"h2\",\"cluster\":\"c2\",\"cpu\":8,\"memMb\":8,\"ts\":\"2026-03-01T10:00:09Z\"}",
                        ""));
        replay(rec, dir.resolve("out"), Map.of());
        Map<String, List<String>> calls = new java.util.TreeMap<>();
        engines.forEach(e -> calls.put(e.cluster, e.calls));
        long t0 = io.vmres.engine.Times.parse("2026-03-01T10:00:00Z");
        assertThat(calls.get("c1"))
                .containsExactly(
                        "advance " + t0 + " [1]",
                        "advance " + (t0 + 1000) + " [3]",
                        "advance " + (t0 + 2000) + " [2]",
                        "endOfInput " + (t0 + 9000),
                        "giveUpAtEnd " + (t0 + 9000));
        // c2 appears after the sim-fault: it gets it first, at its own ts.
        assertThat(calls.get("c2"))
                .containsExactly(
                        "advance " + (t0 + 2000) + " [2]",
                        "advance " + (t0 + 9000) + " [5]",
                        "endOfInput " + (t0 + 9000),
                        "giveUpAtEnd " + (t0 + 9000));
        assertThat(calls.get("")).startsWith("advance " + (t0 + 3000) + " [4]");
    }
}
