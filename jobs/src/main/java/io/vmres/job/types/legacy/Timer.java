package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.execute.Timer} (fields only; see {@link V1State}). */
final class Timer implements Serializable, Comparable<Timer> {
    private static final long serialVersionUID = 0L;
    long aux;
    int kind;
    long seq;
    long ts;
    String key;

    /** As the old record ordered timers: a priority queue restores its heap with it. */
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
