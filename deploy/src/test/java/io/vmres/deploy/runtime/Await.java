package io.vmres.deploy.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Polling to a deadline for the tests on a live runtime: no sleeps of a guessed length. */
public final class Await {
    private Await() {}

    /** Polls until the supplier yields a value, or fails at the deadline. */
    public static <T> T await(Duration timeout, Supplier<Optional<T>> probe)
            throws InterruptedException {
        return await(timeout, probe, () -> "");
    }

    /**
     * Polls until the supplier yields a value, or fails at the deadline with {@code seen}: what the
     * test saw meanwhile, so that a failure tells its cause.
     */
    public static <T> T await(Duration timeout, Supplier<Optional<T>> probe, Supplier<String> seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.onSpinWait();
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        String told = seen.get();
        throw new AssertionError("not within " + timeout + (told.isEmpty() ? "" : "; " + told));
    }
}
