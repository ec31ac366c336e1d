package io.vmres.connector.storage;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.Latency;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A storage array in memory: each map takes a latency drawn from a seeded distribution (log-normal
 * by default, median 800 ms), remembers which disks each target sees, and fails the next calls when
 * told to ({@link #failNext}). Thread-safe.
 */
public final class SimulatedStorage implements DiskMapper {
    private final Latency latency;
    private final Random random;
    private final Map<String, Set<String>> mapped = new HashMap<>();
    private int failuresLeft;
    private String failureDetail;

    public SimulatedStorage(Latency latency, long seed) {
        this.latency = latency;
        this.random = new Random(seed);
    }

    /** A log-normal latency of median 800 ms (sigma 0.5), seed 1. */
    public static SimulatedStorage withDefaults() {
        return new SimulatedStorage(Latency.logNormal(Duration.ofMillis(800), 0.5), 1);
    }

    /** Fails the next {@code count} maps with the given detail (an array path down, say). */
    public synchronized void failNext(int count, String detail) {
        failuresLeft = count;
        failureDetail = detail;
    }

    /** The disks a target sees. */
    public synchronized Set<String> mappedOn(String target) {
        return Set.copyOf(mapped.getOrDefault(target, Set.of()));
    }

    @Override
    public Outcome map(String host, String target, List<String> disks, Duration timeout)
            throws InterruptedException {
        long millis;
        synchronized (this) {
            millis = latency.draw(random).toMillis();
        }
        if (millis > timeout.toMillis()) {
            TimeUnit.MILLISECONDS.sleep(timeout.toMillis());
            return Outcome.timedOut("simulated map takes " + millis + " ms");
        }
        TimeUnit.MILLISECONDS.sleep(millis);
        synchronized (this) {
            if (failuresLeft > 0) {
                failuresLeft--;
                return Outcome.failed(failureDetail);
            }
            mapped.computeIfAbsent(target, t -> new HashSet<>()).addAll(disks);
        }
        return Outcome.succeeded("mapped " + disks.size() + " disks on " + target);
    }
}
