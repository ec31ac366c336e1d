package io.vmres.engine.recording;

/**
 * What reading a recording counted, for {@code summary.json}.
 *
 * @param name the valid meta line's name, else the file name without {@code .jsonl}
 * @param lines physical lines, blank and comment lines included
 * @param events valid, on-time events (the meta line is not one)
 * @param deadLetters bad lines and late events
 * @param lateEvents late events
 * @param lastOnTimeTs the latest ts of an on-time event, or null without any
 */
public record RecordingStats(
        String name,
        long lines,
        long events,
        long deadLetters,
        long lateEvents,
        Long lastOnTimeTs) {}
