package io.vmres.engine.execute;

import java.io.Serializable;

/**
 * An event-time timer of the engine. Timers of one instant run by {@code kind} (channel losses,
 * then classifications, isolations, temperature windows, then command answers), then by creation.
 * Stale timers are dropped when they fire (lazy invalidation).
 */
public record Timer(long ts, int kind, long seq, String key, long aux)
        implements Comparable<Timer>, Serializable {
    public static final int LOSS = 0;
    public static final int DECIDE = 1;
    public static final int ISOLATION = 2;
    public static final int TEMP = 3;

    /** Step 3 of an instant: command answers and timeouts. */
    public static final int ANSWER = 10;

    @Override
    public int compareTo(Timer o) {
        if (ts != o.ts) {
            return Long.compare(ts, o.ts);
        }
        if (kind != o.kind) {
            return Integer.compare(kind, o.kind);
        }
        return Long.compare(seq, o.seq);
    }
}
