package io.vmres.engine.execute;

/**
 * The outcome of a command (spec: Command results). {@code REJECTED} comes only from a connector in
 * production: it refused the command before running anything (no valid signature, stale, replayed);
 * it is never a success.
 */
public enum CommandStatus {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    REJECTED;

    /** A connector's status; one this engine does not know counts as {@link #REJECTED}. */
    public static CommandStatus ofResult(String status) {
        for (CommandStatus s : values()) {
            if (s.name().equals(status)) {
                return s;
            }
        }
        return REJECTED;
    }
}
