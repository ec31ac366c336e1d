package io.vmres.job.live;

import io.vmres.engine.Times;
import io.vmres.engine.event.Heartbeat;
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
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Tells the operator when a heartbeat partition stops being read (its leader hangs, the brokers
 * cannot append to it, the job cannot fetch it): a {@code PARTITION_STALLED} alert naming the
 * partition and the hosts whose heartbeats it carried, and {@code PARTITION_RESUMED} when records
 * come again. Meanwhile {@link InputWatermarks} holds event time for it, so those hosts are not
 * classified (nor any other: event time is one for the job); they are judged again with their data.
 * Processing time, per partition: it watches the reading, not the fleet.
 */
public class PartitionStallWatch
        extends KeyedProcessFunction<String, Tuple3<String, String, Long>, Emitted> {
    private static final long serialVersionUID = 1L;

    public static final String STALLED = "PARTITION_STALLED";
    public static final String RESUMED = "PARTITION_RESUMED";

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

    /** The alerts of the heartbeat partitions of {@code decoded}. */
    public static DataStream<Emitted> attach(
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
        hosts.put(read.f1, now);
        lastReadAt.update(now);
        Long before = lastTs.value();
        lastTs.update(before == null ? read.f2 : Math.max(before, read.f2));
        Long since = stalledAt.value();
        if (since != null) {
            stalledAt.clear();
            alert(
                    out,
                    ctx.getCurrentKey(),
                    RESUMED,
                    ctx.getCurrentKey()
                            + " is read again after "
                            + seconds(now - since + stallAfterMs)
                            + " s: its hosts are judged again with their heartbeats");
        }
        if (timer.value() == null) {
            long at = Times.plus(now, stallAfterMs);
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
        }
    }

    @Override
    public void onTimer(long t, OnTimerContext ctx, Collector<Emitted> out) throws Exception {
        timer.clear();
        Long last = lastReadAt.value();
        if (last == null || stalledAt.value() != null) {
            return;
        }
        if (t - last < stallAfterMs) {
            long at = Times.plus(last, stallAfterMs);
            ctx.timerService().registerProcessingTimeTimer(at);
            timer.update(at);
            return;
        }
        stalledAt.update(t);
        List<String> names = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, Long> h : hosts.entries()) {
            (t - h.getValue() < heartbeatIdlenessMs ? names : gone).add(h.getKey());
        }
        for (String h : gone) {
            hosts.remove(h);
        }
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
                        + String.join(", ", new TreeSet<>(names)));
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
