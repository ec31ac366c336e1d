package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.connector.sim.RecordingGenerator.Options;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.job.replay.ReplayJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class ReplayITCase {
    private static final List<String> FILES =
            List.of(
                    "commands.jsonl",
                    "results.jsonl",
                    "incidents.jsonl",
                    "alerts.jsonl",
                    "dead-letter.jsonl",
                    "summary.json");

    @TempDir Path dir;

    @Test
    void theMiniClusterWritesWhatTheLocalReplayWrites() throws Exception {
        Path recording = dir.resolve("small.jsonl");
        RecordingGenerator.write(
                recording,
                new Options(24, 10, Duration.ofMinutes(10), 2, 3, 7, Duration.ofSeconds(5), false));
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        ReplayJob.Result r =
                Replay.replay(
                        recording,
                        dir.resolve("flink"),
                        Map.of(),
                        1,
                        Optional.of(new PrintStream(shown, true, StandardCharsets.UTF_8)));
        LocalReplay.run(recording, dir.resolve("local"), Map.of());

        assertThat(r.incidents()).hasSize(3);
        for (String f : FILES) {
            assertThat(Files.readString(dir.resolve("flink").resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readString(dir.resolve("local").resolve(f)));
        }
        // Each update rewrites the one line; the last clears it for what follows.
        String progress = shown.toString(StandardCharsets.UTF_8);
        assertThat(progress).startsWith("\r\u001b[Ksmall.jsonl: ").endsWith("\r\u001b[K");
        assertThat(progress).doesNotContain("\n");
    }
}
