package io.vmres.job.replay;

import io.vmres.engine.Settings;
import io.vmres.engine.recording.RecordingStats;
import java.io.Serializable;

/** The reader's counters and effective settings, sent along with the replay's outputs. */
public record ReplayStats(
        String name,
        long lines,
        long events,
        long deadLetters,
        long lateEvents,
        Long lastOnTimeTs,
        Settings settings)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    ReplayStats(RecordingStats s, Settings settings) {
        this(
                s.name(),
                s.lines(),
                s.events(),
                s.deadLetters(),
                s.lateEvents(),
                s.lastOnTimeTs(),
                settings);
    }

    public RecordingStats stats() {
        return new RecordingStats(name, lines, events, deadLetters, lateEvents, lastOnTimeTs);
    }
}
