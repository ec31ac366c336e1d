package io.vmres.engine;

import io.vmres.engine.fleet.Channel;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
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

    /** Writes the pending timers in the order they run, then the creation counter. */
    public void write(StateOutput out) throws IOException {
        List<Timer> sorted = new ArrayList<>(queue);
        sorted.sort(null);
        out.writeTs(seq);
        out.writeAll(sorted, Timers::writeTimer);
    }

    public static Timers read(StateInput in) throws IOException {
        Timers t = new Timers();
        t.seq = in.readTs();
        in.readAll(t.queue, Timers::readTimer);
        return t;
    }

    private static void writeTimer(Timer t, StateOutput out) throws IOException {
        out.writeEnum(t.kind());
        out.writeTs(t.ts());
        out.writeTs(t.seq());
        if (t instanceof Timer.ChannelLoss l) {
            out.writeString(l.host());
            out.writeEnum(l.channel());
        } else if (t instanceof Timer.Classify c) {
            out.writeString(c.host());
            out.writeTs(c.lossTime());
        } else if (t instanceof Timer.Isolation i) {
            out.writeString(i.host());
            out.writeTs(i.mgmtLossTs());
        } else if (t instanceof Timer.TemperatureWindow w) {
            out.writeString(w.host());
        } else if (t instanceof Timer.Answer a) {
            out.writeString(a.commandId());
        }
    }

    private static Timer readTimer(StateInput in) throws IOException {
        Timer.Kind kind = in.readEnum(Timer.Kind.class);
        long ts = in.readTs();
        long seq = in.readTs();
        switch (kind) {
            case LOSS:
                return new Timer.ChannelLoss(ts, seq, in.readString(), in.readEnum(Channel.class));
            case CLASSIFY:
                return new Timer.Classify(ts, seq, in.readString(), in.readTs());
            case ISOLATION:
                return new Timer.Isolation(ts, seq, in.readString(), in.readTs());
            case TEMPERATURE:
                return new Timer.TemperatureWindow(ts, seq, in.readString());
            case ANSWER:
                return new Timer.Answer(ts, seq, in.readString());
            default:
                throw new IOException("unknown timer kind " + kind);
        }
    }
}
