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
  private static final Path BAD_AND_LATE = RecordingReaderTest.SCENARIOS.resolve("bad-and-late-input.jsonl");

  private final List<ScriptedEngine> engines = new ArrayList<>();

  private LocalReplay.Result replay(Path recording, Path out, Map<String, String> overrides) throws Exception {
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
  void replaysTheBadAndLateScenarioIntoDeadLettersLateAlertsAndSummary(@TempDir Path dir) throws Exception {
    LocalReplay.Result r = replay(BAD_AND_LATE, dir, Map.of());
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
    assertThat(late).extracting(a -> a.get("ts").asText())
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
    Path recording = RecordingReaderTest.SCENARIOS.resolve("single-host-crash.jsonl");
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
    LocalReplay.Result r = replay(BAD_AND_LATE, dir, Map.of("outOfOrderness", "PT10S"));
    assertThat(r.settings().outOfOrdernessMs()).isEqualTo(10_000);
    // With 10 s of allowed disorder, neither late line of the scenario is late any more.
    assertThat(r.stats().lateEvents()).isZero();
    JsonNode s = Json.STRICT.readTree(Files.readString(dir.resolve("summary.json")));
    assertThat(s.get("settings").get("outOfOrderness").asText()).isEqualTo("PT10S");
  }
}
