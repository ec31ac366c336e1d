package io.vmres.job.live;

import io.vmres.engine.out.AlertOut;
import io.vmres.job.Emitted;
import java.math.BigDecimal;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Tells the operator of a partition whose append time stepped back beyond {@code appendTimeMargin}
 * ({@link AppendSteps}): {@code APPEND_TIME_STEPPED_BACK} on the first record of the step, naming
 * the partition and the step, and {@code APPEND_TIME_CAUGHT_UP} on the first record past it. In
 * between event time waits for the partition, so no host anywhere is judged: a step longer than
 * {@code heartbeatIdleness} (the longest event time waits for a stalled partition) is still waited
 * for, and the alert says so.
 */
public final class AppendStepAlerts implements MapFunction<Decoded, Emitted> {
    private static final long serialVersionUID = 1L;

    public static final String STEPPED_BACK = "APPEND_TIME_STEPPED_BACK";
    public static final String CAUGHT_UP = "APPEND_TIME_CAUGHT_UP";

    private final long heartbeatIdlenessMs;
    private long seq;

    public AppendStepAlerts(long heartbeatIdlenessMs) {
        this.heartbeatIdlenessMs = heartbeatIdlenessMs;
    }

    /** The alerts of the steps that the records of {@code decoded} tell. */
    public static DataStream<Emitted> attach(
            DataStream<Decoded> decoded, long heartbeatIdlenessMs) {
        return decoded.filter(d -> d.appendStep() != AppendSteps.NO_STEP)
                .name("append time steps")
                .map(new AppendStepAlerts(heartbeatIdlenessMs))
                .returns(Emitted.TYPE)
                .name("append time step alerts")
                .uid("append-time-steps");
    }

    @Override
    public Emitted map(Decoded d) {
        String partition =
                d.partition() != null
                        ? d.partition()
                        : d.isBad() ? d.deadLetter().getSource().toString() : "a partition";
        long ts = d.isBad() ? d.deadLetter().getTs().toEpochMilli() : d.event().ts();
        return new Emitted(null, seq++, alert(partition, d.appendStep(), ts, heartbeatIdlenessMs));
    }

    /** The alert of the step {@code step} ({@link Decoded#appendStep()}) of {@code partition}. */
    static AlertOut alert(String partition, long step, long ts, long heartbeatIdlenessMs) {
        if (step < 0) {
            return new AlertOut(
                    CAUGHT_UP,
                    null,
                    null,
                    List.of(),
                    "append time of "
                            + partition
                            + " is past where it was before it stepped back, "
                            + seconds(-step)
                            + " s of its leader's clock later: event time moves again",
                    ts);
        }
        String detail =
                "broker clock stepped back on "
                        + partition
                        + ": its append time went back "
                        + seconds(step)
                        + " s (a leader whose clock is behind the last one's): event time waits for"
                        + " it until its append time is past where it was, about "
                        + seconds(step)
                        + " s, and its records meanwhile take its latest event time, so no host"
                        + " is judged on the step";
        if (step > heartbeatIdlenessMs) {
            detail +=
                    "; longer than heartbeatIdleness ("
                            + seconds(heartbeatIdlenessMs)
                            + " s), it is waited for all the same: nothing is decided meanwhile."
                            + " Set the brokers' clocks right or move the partition's leader";
        }
        return new AlertOut(STEPPED_BACK, null, null, List.of(), detail, ts);
    }

    private static String seconds(long ms) {
        return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }
}
