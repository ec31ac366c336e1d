package io.vmres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every recording (the engine's own, and the shared scenarios when present) twice and
 * runs the reference checker over the output, with its determinism check.
 */
class RecordingsCheckTest {
  private static final Path OWN = Path.of("src/test/resources/recordings");
  private static final Path SHARED = Path.of("/work/shared/scenarios");
  private static final Path CHECKER = Path.of("/work/shared/tools/check_replay.py");

  static Stream<Path> recordings() throws IOException {
    List<Path> all = new ArrayList<>();
    for (Path dir : List.of(OWN, SHARED)) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(all::add);
        }
      }
    }
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("recordings")
  void replayPassesTheChecker(Path recording, @TempDir Path tmp) throws Exception {
    assumeTrue(Files.exists(CHECKER), "the reference checker is not on this machine");
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    ReplayDriver.replay(recording, a);
    ReplayDriver.replay(recording, b);
    Process p =
        new ProcessBuilder(
                "python3", CHECKER.toString(), recording.toString(), a.toString(), "--again",
                b.toString())
            .redirectErrorStream(true)
            .start();
    String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(report).isZero();
    assertThat(report).contains("PASS");
  }
}
