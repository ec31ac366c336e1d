package io.vmres.engine.execute;

/** The outcome of a command (spec: Command results). */
public enum CommandStatus {
    SUCCEEDED,
    FAILED,
    TIMED_OUT
}
