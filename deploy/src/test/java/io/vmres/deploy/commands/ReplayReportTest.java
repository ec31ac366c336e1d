package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.IncidentFigures;
import io.vmres.job.replay.ReplayJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code vmres replay} says about what it replayed, and its exit code. */
class ReplayReportTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int report(ReplayJob.Result r) {
        return Replay.report(
                r,
                Path.of("out", "x"),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aFileWithNoValidEventWarnsAndFails() {
        int code = report(new ReplayJob.Result("notes.txt", 0, 12, 0, 0, List.of()));
        assertThat(code).isEqualTo(Replay.NO_VALID_EVENT).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("warning: notes.txt holds no valid event, only 12 dead letters")
                .contains("is it a recording?");
    }

    @Test
    void countsSayOneInTheSingular() {
        IncidentFigures f =
                new IncidentFigures(
                        "inc-c1-0001",
                        "HOST_FAILURE",
                        List.of("h1"),
                        "RECOVERED",
                        12_000L,
                        0L,
                        null,
                        null,
                        30_000L,
                        1,
                        0,
                        0);
        int code = report(new ReplayJob.Result("r", 1, 1, 0, 1, List.of(f)));
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("r: 1 event, 1 dead letter (0 late), 1 command, 1 incident -> ")
                .contains("inc-c1-0001");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
