package io.vmres.engine;

import io.vmres.engine.fleet.Channel;
import java.io.Serializable;
import java.util.PriorityQueue;

/** The engine's pending timers, earliest first (see {@link Timer} for the order in an instant). */
public final class Timers implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PriorityQueue<Timer> queue = new PriorityQueue<>();
    private long seq;

    public void channelLoss(long ts, String host, Channel channel) {
        queue.add(new Timer.ChannelLoss(ts, seq++, host, channel));
    }

    public void classify(long ts, String host, long lossTime) {
        queue.add(new Timer.Classify(ts, seq++, host, lossTime));
    }

    public void isolation(long ts, String host, long mgmtLossTs) {
        queue.add(new Timer.Isolation(ts, seq++, host, mgmtLossTs));
    }

    public void temperatureWindow(long ts, String host) {
        queue.add(new Timer.TemperatureWindow(ts, seq++, host));
    }

    public void answer(long ts, String commandId) {
        queue.add(new Timer.Answer(ts, seq++, commandId));
    }

    /** The earliest timer, or null. */
    Timer peek() {
        return queue.peek();
    }

    Timer poll() {
        return queue.poll();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** A timer is due at {@code t} (none is due earlier: the engine ran them). */
    boolean dueAt(long t) {
        return !queue.isEmpty() && queue.peek().ts() == t;
    }

    /** A timer is due before {@code t}. */
    boolean dueBefore(long t) {
        return !queue.isEmpty() && queue.peek().ts() < t;
    }
}
