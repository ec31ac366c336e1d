package io.vmres.job.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every shared scenario through the Flink job graph on a MiniCluster, at parallelism 1 and
 * 4: the outputs pass the spec's checker and are byte-identical across parallelism.
 */
@Tag("slow")
class ReplayJobITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    static Path scenarios() {
        return Path.of("..", "..", "shared", "scenarios").toAbsolutePath().normalize();
    }

    /**
     * The shared scenarios, and those of the newer rules (Power proof, Wrong clocks) beside them.
     */
    static Stream<Path> recordings() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path dir : List.of(scenarios(), scenarios().resolveSibling("scenarios-next"))) {
            if (!Files.isDirectory(dir) && !dir.equals(scenarios())) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".jsonl"))
                        .sorted()
                        .forEach(all::add);
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("recordings")
    void scenarioPassesTheCheckerAndIsTheSameAtEveryParallelism(Path recording, @TempDir Path tmp)
            throws Exception {
        Path p1 = tmp.resolve("p1");
        Path p4 = tmp.resolve("p4");
        replay(recording, p1, 1);
        replay(recording, p4, 4);

        for (String file :
                List.of(
                        "commands.jsonl",
                        "results.jsonl",
                        "incidents.jsonl",
                        "alerts.jsonl",
                        "dead-letter.jsonl",
                        "summary.json")) {
            assertThat(Files.readString(p4.resolve(file)))
                    .as("%s at parallelism 4 equals parallelism 1", file)
                    .isEqualTo(Files.readString(p1.resolve(file)));
        }
        Checker.Verdict verdict = Checker.check(recording, p1);
        assertThat(verdict.output()).as("checker output").startsWith("PASS");
        assertThat(verdict.exitCode()).isZero();
    }

    @org.junit.jupiter.api.Test
    void sameRecordingTwiceGivesTheSameBytes(@TempDir Path tmp) throws Exception {
        Path recording = scenarios().resolve("retries-and-dependencies.jsonl");
        replay(recording, tmp.resolve("a"), 2);
        replay(recording, tmp.resolve("b"), 2);
        for (String file :
                List.of(
                        "commands.jsonl",
                        "results.jsonl",
                        "incidents.jsonl",
                        "alerts.jsonl",
                        "dead-letter.jsonl",
                        "summary.json")) {
            assertThat(Files.readAllBytes(tmp.resolve("b").resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(file)));
        }
        assertThat(Files.readString(tmp.resolve("a").resolve("commands.jsonl")))
                .contains("RESTART_VM");
    }

    static Stream<Path> ownRecordings() throws IOException {
        List<Path> all = new ArrayList<>();
        Path dir = Path.of("src", "test", "resources", "recordings").toAbsolutePath();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().forEach(all::add);
        }
        return all.stream();
    }

    /**
     * The job graph (the health stage with its windows and CEP pattern in front of the engines)
     * decides exactly as the engines alone do when they judge health samples themselves, at
     * parallelism 1 and 4 (the engines' output passes the checker: {@code LocalReplayCheckerTest}).
     */
    @ParameterizedTest
    @MethodSource("ownRecordings")
    void jobGraphWritesWhatTheEnginesAloneWrite(Path recording, @TempDir Path tmp)
            throws Exception {
        replay(recording, tmp.resolve("p1"), 1);
        replay(recording, tmp.resolve("p4"), 4);
        io.vmres.engine.recording.LocalReplay.run(recording, tmp.resolve("engines"), Map.of());
        for (String file :
                List.of(
                        "commands.jsonl",
                        "results.jsonl",
                        "incidents.jsonl",
                        "alerts.jsonl",
                        "dead-letter.jsonl",
                        "summary.json")) {
            String engines = Files.readString(tmp.resolve("engines").resolve(file));
            assertThat(Files.readString(tmp.resolve("p1").resolve(file)))
                    .as("%s at parallelism 1", file)
                    .isEqualTo(engines);
            assertThat(Files.readString(tmp.resolve("p4").resolve(file)))
                    .as("%s at parallelism 4", file)
                    .isEqualTo(engines);
        }
    }

    static void replay(Path recording, Path out, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        ReplayJob.run(env, recording, out, Map.of());
    }

    /** Runs the spec's checker, {@code shared/tools/check_replay.py}. */
    static final class Checker {
        record Verdict(int exitCode, String output) {}

        static Verdict check(Path recording, Path out) throws Exception {
            Path tool = scenarios().getParent().resolve("tools").resolve("check_replay.py");
            Process p =
                    new ProcessBuilder(
                                    "python3",
                                    tool.toString(),
                                    recording.toString(),
                                    out.toString())
                            .redirectErrorStream(true)
                            .start();
            String text = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the checker did not finish");
            }
            String verdict =
                    text.lines()
                            .filter(l -> l.startsWith("PASS") || l.startsWith("FAIL"))
                            .findFirst()
                            .orElse(text);
            return new Verdict(p.exitValue(), verdict.equals(text) ? text : verdict + "\n" + text);
        }
    }
}
