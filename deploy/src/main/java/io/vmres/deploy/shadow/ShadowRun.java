package io.vmres.deploy.shadow;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code vmres replay --shadow}: the replay's decisions beside the incumbent's recorded actions.
 */
public final class ShadowRun {
    private ShadowRun() {}

    /** Writes the report into the replay's folder; returns a line saying where and what. */
    public static String report(Path recording, Path replayOut, Path incumbent, IncumbentFormat f)
            throws Exception {
        IncumbentFormat.Read read = f.read(incumbent);
        ShadowReport.Report r =
                ShadowReport.compare(recording, replayOut, read, f.name().toLowerCase(Locale.ROOT));
        ShadowReport.write(r, replayOut);
        return String.format(
                Locale.ROOT,
                "shadow report: %s (%d incident%s, %d incumbent action%s, %d line%s unread)",
                replayOut.resolve("shadow-report.md"),
                r.incidents().size(),
                r.incidents().size() == 1 ? "" : "s",
                read.actions().size(),
                read.actions().size() == 1 ? "" : "s",
                read.skipped().size(),
                read.skipped().size() == 1 ? "" : "s");
    }
}
