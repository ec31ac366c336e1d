package io.vmres.connector.runtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The commands a {@link ConnectorService} answered, counted by action and status, with the latency
 * of each action (start of the call to its answer) in fixed buckets: what {@code /metrics} tells
 * Prometheus. Counted on any thread.
 */
public final class CommandOutcomes {
    /** Upper bounds of the latency buckets, in seconds; the last bucket is unbounded. */
    public static final double[] LATENCY_BUCKETS_SECONDS = {
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300
    };

    private final Map<String, AtomicLongArray> byAction = new ConcurrentHashMap<>();
    private final Map<String, Latency> latency = new ConcurrentHashMap<>();

    /** A command answered, with the time from the start of its call (0 if it had none). */
    public void answered(String action, Outcome.Status status, long millis) {
        byAction.computeIfAbsent(action, a -> new AtomicLongArray(Outcome.Status.values().length))
                .incrementAndGet(status.ordinal());
        latency.computeIfAbsent(action, a -> new Latency()).observe(millis);
    }

    /** Answers by action (sorted), then status, zeros left out. */
    public TreeMap<String, TreeMap<Outcome.Status, Long>> counts() {
        TreeMap<String, TreeMap<Outcome.Status, Long>> out = new TreeMap<>();
        byAction.forEach(
                (action, n) -> {
                    TreeMap<Outcome.Status, Long> m = new TreeMap<>();
                    for (Outcome.Status s : Outcome.Status.values()) {
                        long v = n.get(s.ordinal());
                        if (v > 0) {
                            m.put(s, v);
                        }
                    }
                    out.put(action, m);
                });
        return out;
    }

    /** The latency histogram of each action (sorted), a snapshot. */
    public TreeMap<String, LatencySnapshot> latency() {
        TreeMap<String, LatencySnapshot> out = new TreeMap<>();
        latency.forEach((action, l) -> out.put(action, l.snapshot()));
        return out;
    }

    /**
     * One action's latency: counts per bucket (not cumulative; the last for all above the last
     * bound), the count and the sum in milliseconds.
     */
    public record LatencySnapshot(long[] buckets, long count, long sumMillis) {}

    private static final class Latency {
        private final long[] buckets = new long[LATENCY_BUCKETS_SECONDS.length + 1];
        private long count;
        private long sumMillis;

        synchronized void observe(long millis) {
            int i = 0;
            while (i < LATENCY_BUCKETS_SECONDS.length
                    && millis > LATENCY_BUCKETS_SECONDS[i] * 1000) {
                i++;
            }
            buckets[i]++;
            count++;
            sumMillis += millis;
        }

        synchronized LatencySnapshot snapshot() {
            return new LatencySnapshot(buckets.clone(), count, sumMillis);
        }
    }
}
