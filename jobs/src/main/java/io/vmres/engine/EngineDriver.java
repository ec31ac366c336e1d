package io.vmres.engine;

import io.vmres.engine.event.Event;
import io.vmres.engine.out.Output;
import java.util.List;
import java.util.NavigableMap;

/**
 * Drives one {@link Engine} as its contract asks: every instant up to a limit in order, the input
 * of an instant before the engine's own work due then, each instant after the last one it ran; the
 * end of input, then the engine's own work until none is left. The Flink operator and the replay
 * drivers all run engines through it.
 *
 * <p>Usage: {@link #runUntil} whenever input is complete up to a limit (the watermark), {@link
 * #endOfInput} once, then {@link #runUntil} up to {@link Long#MAX_VALUE} (or the watermark).
 */
public final class EngineDriver {
    private final String name;
    private final Engine engine;
    private final Output out;
    private long lastT = Long.MIN_VALUE;

    /**
     * @param name what error messages call the engine (its cluster)
     * @param out where the engine writes its decisions
     */
    public EngineDriver(String name, Engine engine, Output out) {
        this.name = name;
        this.engine = engine;
        this.out = out;
    }

    public Engine engine() {
        return engine;
    }

    public Output out() {
        return out;
    }

    /**
     * Runs, in order, every instant up to {@code limit} (inclusive): the buffered input of each
     * (taken out of {@code held}; events of an instant sorted already) and the engine's own work.
     * At an instant with both, the input goes first: the engine runs its work due then after it.
     */
    public void runUntil(NavigableMap<Long, ? extends List<Event>> held, long limit) {
        while (true) {
            long due = nextDue();
            Long first = held == null || held.isEmpty() ? null : held.firstKey();
            if (first != null && first <= limit && first <= due) {
                advance(first, held.pollFirstEntry().getValue());
            } else if (due != Long.MAX_VALUE && due <= limit) {
                advance(due, List.of());
            } else {
                return;
            }
        }
    }

    /** Hands the engine the input of instant {@code t}, after every instant it ran. */
    public void advance(long t, List<Event> events) {
        if (t <= lastT) {
            // input older than what the engine has seen cannot be applied in event time: a bug
            throw new IllegalStateException(
                    "cluster '" + name + "': instant " + t + " is not after " + lastT);
        }
        engine.advance(t, events, out);
        lastT = t;
    }

    /** When the engine next has work of its own, never at or before an instant it ran. */
    public long nextDue() {
        long due = engine.nextDue();
        if (due != Long.MAX_VALUE && due <= lastT) {
            throw new IllegalStateException(
                    "cluster '" + name + "': next due " + due + " is not after instant " + lastT);
        }
        return due;
    }

    /** The input ended at {@code lastTs}: no channel is lost after it. */
    public void endOfInput(long lastTs) {
        engine.endOfInput(lastTs);
    }
}
