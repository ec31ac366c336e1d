package io.vmres.connector.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes, instead of sleeping a guessed time. */
public final class Eventually {
    public static final Duration DEFAULT = Duration.ofSeconds(10);

    private Eventually() {}

    public static void await(String what, BooleanSupplier condition) {
        await(what, DEFAULT, condition);
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }

    /** Retries an assertion until it passes, rethrowing its last failure at the deadline. */
    public static void assertEventually(Runnable assertion) {
        long deadline = System.nanoTime() + DEFAULT.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
        }
    }
}
