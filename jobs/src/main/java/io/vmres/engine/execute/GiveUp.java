package io.vmres.engine.execute;

/** Why the engine gives up VMs it owed: the kind of its alert. */
public enum GiveUp {
    /** No target fits the VM now. */
    UNPLACED,
    /** Its commands (or the fence of its host) failed {@code maxAttempts} times. */
    RETRIES_EXHAUSTED,
    /** A dependency will not run again, or never ran by the end. */
    DEPENDENCY_UNMET
}
