package io.vmres.connector.runtime;

import java.util.Objects;

/** What a hypervisor call came to: succeeded, failed or timed out, with a detail for operators. */
public record Outcome(Status status, String detail) {

    /** The status of a finished call; the same three values a command result carries. */
    public enum Status {
        SUCCEEDED,
        FAILED,
        TIMED_OUT
    }

    public Outcome {
        Objects.requireNonNull(status, "status");
    }

    public static Outcome succeeded() {
        return new Outcome(Status.SUCCEEDED, null);
    }

    public static Outcome succeeded(String detail) {
        return new Outcome(Status.SUCCEEDED, detail);
    }

    public static Outcome failed(String detail) {
        return new Outcome(
                Status.FAILED, Objects.requireNonNull(detail, "a failure needs a detail"));
    }

    public static Outcome timedOut(String detail) {
        return new Outcome(Status.TIMED_OUT, detail);
    }

    public boolean isSuccess() {
        return status == Status.SUCCEEDED;
    }
}
