package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.Settings;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays every recording at hand (the shared scenarios, the module's own test recordings) twice
 * with {@link LocalReplay} and the real cluster engine, and has the reference checker judge the
 * output and its determinism.
 */
class LocalReplayCheckerTest {
    private static final Path CHECKER = SharedFiles.CHECKER;
    private static final List<Path> DIRS =
            List.of(RecordingReaderTest.SCENARIOS, Path.of("src/test/resources/recordings"));

    static Stream<Path> recordings() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path dir : DIRS) {
            // with the shared folder beside the checkout, its scenarios must be there: no silent
            // skip
            if (Files.isDirectory(dir)
                    || dir.startsWith(SharedFiles.DIR) && Files.isDirectory(SharedFiles.DIR)) {
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(all::add);
                }
            }
        }
        return all.stream();
    }

    /** False while the cluster engine is still the contract's placeholder. */
    private static boolean engineIsImplemented() {
        Output none =
                new Output() {
                    @Override
                    public void command(CommandOut command) {}

                    @Override
                    public void result(ResultOut result) {}

                    @Override
                    public void incident(IncidentOut incident) {}

                    @Override
                    public void alert(AlertOut alert) {}
                };
        try {
            new ClusterEngine(
                            "c",
                            Settings.DEFAULTS,
                            EngineOptions.of(ClusterEngine.Hypervisor.SIMULATED))
                    .advance(0, List.of(), none);
            return true;
        } catch (UnsupportedOperationException placeholder) {
            return false;
        }
    }

    @ParameterizedTest
    @MethodSource("recordings")
    void replayPassesTheReferenceChecker(Path recording, @TempDir Path tmp) throws Exception {
        SharedFiles.require(CHECKER);
        assumeTrue(engineIsImplemented(), "the cluster engine is not implemented yet");
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        LocalReplay.run(recording, a, Map.of());
        LocalReplay.run(recording, b, Map.of());
        Process p =
                new ProcessBuilder(
                                "python3",
                                CHECKER.toString(),
                                recording.toString(),
                                a.toString(),
                                "--again",
                                b.toString())
                        .redirectErrorStream(true)
                        .start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(report).isZero();
        assertThat(report).contains("PASS");
    }
}
