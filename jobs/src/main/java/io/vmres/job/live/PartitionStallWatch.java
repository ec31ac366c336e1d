package io.vmres.job.live;

import io.vmres.engine.Times;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.out.AlertOut;
import io.vmres.job.Emitted;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Tells the operator when a heartbeat partition stops being read (its leader hangs, the brokers
 * cannot append to it, the job cannot fetch it): a {@code PARTITION_STALLED} alert naming the
 * partition and the hosts whose heartbeats it carried, and {@code PARTITION_RESUMED} when records
 * come again. Meanwhile {@link InputWatermarks} holds event time for it, so those hosts are not
 * classified (nor any other: event time is one for the job); they are judged again with their data.
 * Processing time, per partition: it watches the reading, not the fleet.
 *
 * <p>Event time alone does not cover a leader that stops appending: the heartbeats that waited are
 * appended at its resume and take their append time (Wrong clocks), so the partition's hosts look
 * silent for the length of the stall. So the watch also puts a {@link TelemetryStall} note of each
 * host into the job's input ({@link #EVENTS}): stalled when the partition is told stalled, stamped
 * with its latest event time (event time waits for the partition there, so the note is not late and
 * reaches the engine before any loss timer of the host can fire), and resumed when it is read
 * again. The engine of the host's cluster does not judge a stalled host, and counts its silence
 * afresh from its resume. A partition that stays quiet for {@code heartbeatIdleness} is let go by
 * event time; its hosts are resumed then, and judged.
 *
 * <p>The resume is stamped at the partition's event time when its data flows again: its latest
 * event time before the stall advanced by the processing time gone since that record was read, or
 * its latest event time if later. Not at the latest event time read alone: the first record read
 * again may be one stamped before the gap (appended before the leader hung, read after), while the
 * heartbeats that waited in the producers are appended at the resume and take about the time at
 * which they are read; silence counted from the earlier stamp would fail the hosts for the length
 * of the stall. Processing time is carried into event time by the partition's own offset between
 * them before the stall (its latest event time less the processing time at which it was read), not
 * taken as such: so a job clock that differs from the brokers' (whose append time gives the event
 * time) shifts nothing, and neither do topics of producer timestamps of another day. A stamp too
 * early is the dangerous side (the hosts look silent from it); this one is early only by how much
 * more the partition lagged before the stall than after (or by a step back of the job's clock
 * during it), which must stay far below {@code heartbeatTimeout}. A stamp too late only delays
 * judging the partition's hosts. The note, ahead of the watermark, waits in the engine until event
 * time reaches it; a note behind it is applied at the first instant still open ({@code
 * LatePolicy}).
 *
 * <p>Each partition's watch is the state machine {@link PartitionPhase}: reading, stalled, let go;
 * it has one timer at a time, the one its phase needs, so a stall is seen whatever timer was
 * pending before (a second stall soon after a resume as well as the first).
 */
public class PartitionStallWatch
        extends KeyedProcessFunction<String, Tuple3<String, String, Long>, Emitted> {
    private static final long serialVersionUID = 1L;

    public static final String STALLED = "PARTITION_STALLED";
    public static final String RESUMED = "PARTITION_RESUMED";

    /** The {@link TelemetryStall} notes of the hosts of stalled partitions, for the input. */
    public static final OutputTag<Decoded> EVENTS =
            new OutputTag<>("telemetry-stalls", Decoded.TYPE);

    private final long stallAfterMs;
    private final long heartbeatIdlenessMs;

    private transient ValueState<Long> lastReadAt;
    private transient ValueState<Long> lastTs;
    private transient ValueState<Long> stalledAt;
    private transient ValueState<Long> timer;
    private transient ValueState<Long> told;

    /** Host -> when a heartbeat of it was last read from this partition (processing time). */
    private transient MapState<String, Long> hosts;

    /**
     * @param stallAfterMs a heartbeat partition quiet this long is told as stalled
     * @param heartbeatIdlenessMs how long event time waits for it (told in the alert); hosts not
     *     read for this long are no longer named
     */
    public PartitionStallWatch(long stallAfterMs, long heartbeatIdlenessMs) {
        this.stallAfterMs = stallAfterMs;
        this.heartbeatIdlenessMs = heartbeatIdlenessMs;
    }

    /**
     * The alerts of the heartbeat partitions of {@code decoded}; their {@link TelemetryStall} notes
     * are its side output {@link #EVENTS}.
     */
    public static SingleOutputStreamOperator<Emitted> attach(
            DataStream<Decoded> decoded, long stallAfterMs, long heartbeatIdlenessMs) {
        return decoded.filter(
                        d -> d.partition() != null && !d.isBad() && d.event() instanceof Heartbeat)
                .name("heartbeat partitions")
                .map(d -> Tuple3.of(d.partition(), ((Heartbeat) d.event()).host(), d.event().ts()))
                .returns(Types.TUPLE(Types.STRING, Types.STRING, Types.LONG))
                .name("heartbeat reads")
                .keyBy(t -> t.f0, Types.STRING)
                .process(new PartitionStallWatch(stallAfterMs, heartbeatIdlenessMs))
                .returns(Emitted.TYPE)
                .name("partition stalls")
                .uid("partition-stalls");
    }

    @Override
    public void open(OpenContext ctx) {
        lastReadAt = value("last-read-at");
        lastTs = value("last-ts");
        stalledAt = value("stalled-at");
        timer = value("timer");
        told = value("told");
        hosts =
                getRuntimeContext()
                        .getMapState(new MapStateDescriptor<>("hosts", Types.STRING, Types.LONG));
    }

    private ValueState<Long> value(String name) {
        return getRuntimeContext().getState(new ValueStateDescriptor<>(name, Types.LONG));
    }

    @Override
    public void processElement(
            Tuple3<String, String, Long> read, Context ctx, Collector<Emitted> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        boolean pending = timer.value() != null;
        PartitionPhase.Step step =
                PartitionPhase.of(stalledAt.value() != null, pending)
                        .read(now, pending, stallAfterMs);
        Long before = lastTs.value();
        Long readBefore = lastReadAt.value();
        hosts.put(read.f1, now);
        lastReadAt.update(now);
        lastTs.update(before == null ? read.f2 : Math.max(before, read.f2));
        if (step.tell() == PartitionPhase.Tell.RESUMED) {
            long since = stalledAt.value();
            stalledAt.clear();
            notes(ctx, new TreeSet<>(hostsRead()), resumeTs(before, readBefore, now), true);
            alert(
                    out,
                    ctx.getCurrentKey(),
                    RESUMED,
                    ctx.getCurrentKey()
                            + " is read again after "
                            + seconds(now - since + stallAfterMs)
                            + " s: its hosts are judged again with their heartbeats");
        }
        arm(ctx, step.timer());
    }

    /**
     * The event time the partition's hosts are resumed at, read again at {@code now} after a stall
     * whose last record before it, the latest event time {@code before}, was read at {@code
     * readBefore}: the partition's event time as it would stand had it flowed, {@code before}
     * advanced by the processing time gone since, and no earlier than its latest event time.
     */
    private long resumeTs(long before, long readBefore, long now) throws Exception {
        return Math.max(lastTs.value(), Times.plus(before, Math.max(0, now - readBefore)));
    }

    /**
     * Makes {@code at} the partition's one timer ({@link PartitionPhase#KEEP}, NONE, or a time).
     */
    private void arm(Context ctx, long at) throws Exception {
        if (at == PartitionPhase.KEEP) {
            return;
        }
        Long pending = timer.value();
        if (pending != null && pending == at) {
            return;
        }
        if (pending != null) {
            ctx.timerService().deleteProcessingTimeTimer(pending);
        }
        if (at == PartitionPhase.NONE) {
            timer.clear();
        } else {
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        }
    }

    private List<String> hostsRead() throws Exception {
        List<String> names = new ArrayList<>();
        for (String h : hosts.keys()) {
            names.add(h);
        }
        return names;
    }

    /** A note of each host of {@code names} that its telemetry stalled or resumed at {@code ts}. */
    private static void notes(Context ctx, TreeSet<String> names, long ts, boolean resumed) {
        String partition = ctx.getCurrentKey();
        for (String h : names) {
            // last in its instant: after the heartbeats of the partition's latest event time
            ctx.output(
                    EVENTS,
                    Decoded.event(
                                    new TelemetryStall(ts, Long.MAX_VALUE, h, partition, resumed),
                                    null)
                            .from(partition));
        }
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<Emitted> out) throws Exception {
        Long pending = timer.value();
        Long last = lastReadAt.value();
        if (pending == null || pending != t || last == null) {
            return; // not the partition's pending timer: replaced meanwhile
        }
        timer.clear();
        PartitionPhase.Step step =
                PartitionPhase.of(stalledAt.value() != null, true)
                        .timer(t, last, stallAfterMs, heartbeatIdlenessMs);
        switch (step.tell()) {
            case STALLED -> stalled(t, last, ctx, out);
            case LET_GO -> {
                // event time lets the partition go now: its hosts are judged again, from here
                long wm = ctx.timerService().currentWatermark();
                long ts = Math.max(lastTs.value(), Times.plus(wm, 1));
                notes(ctx, new TreeSet<>(hostsRead()), ts, true);
            }
            default -> {}
        }
        arm(ctx, step.timer());
    }

    /** Tells the partition stalled at {@code t}, its latest record read at {@code last}. */
    private void stalled(long t, long last, OnTimerContext ctx, Collector<Emitted> out)
            throws Exception {
        stalledAt.update(t);
        List<String> names = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, Long> h : hosts.entries()) {
            (t - h.getValue() < heartbeatIdlenessMs ? names : gone).add(h.getKey());
        }
        for (String h : gone) {
            hosts.remove(h);
        }
        TreeSet<String> stalled = new TreeSet<>(names);
        notes(ctx, stalled, lastTs.value(), false);
        alert(
                out,
                ctx.getCurrentKey(),
                STALLED,
                "no record read from "
                        + ctx.getCurrentKey()
                        + " for "
                        + seconds(t - last)
                        + " s (its latest heartbeat "
                        + Times.format(lastTs.value())
                        + "): event time waits for it up to "
                        + seconds(heartbeatIdlenessMs)
                        + " s, so no host is classified meanwhile; hosts on it: "
                        + String.join(", ", stalled));
    }

    private void alert(Collector<Emitted> out, String partition, String kind, String detail)
            throws Exception {
        Long n = told.value();
        long seq = n == null ? 0 : n;
        told.update(seq + 1);
        Long ts = lastTs.value();
        out.collect(
                new Emitted(
                        null,
                        seq,
                        new AlertOut(kind, null, null, List.of(), detail, ts == null ? 0 : ts)));
    }

    private static String seconds(long ms) {
        return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }
}
