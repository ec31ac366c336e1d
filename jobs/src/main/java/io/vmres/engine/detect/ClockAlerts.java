package io.vmres.engine.detect;

import io.vmres.engine.Times;
import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;

/**
 * Tells operators of wrong clocks (the spec's Wrong clocks: "pipelines may tell operators with a
 * {@code CLOCK_SKEW} alert"): one {@code CLOCK_SKEW} alert per host per hour of event time, at the
 * first event of the host that took its arrival time. The alert decides nothing; it is in the
 * engine, in event time, so that a replay and the live job write the same alerts.
 */
public final class ClockAlerts implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A host's clock is told at most once in this much event time. */
    public static final long PERIOD_MS = Duration.ofHours(1).toMillis();

    /** Host -> the ts of its last alert, for the hosts told within the last period. */
    private final TreeMap<String, Long> lastAlert = new TreeMap<>();

    /** A note of a retimed event, applied at its instant (step 1). */
    public void note(ClockSkew c, long maxClockSkewMs, Output out) {
        long t = c.ts();
        // hosts told more than a period ago are told again when their clock is still off: forget
        // them, so that the state holds only the last hour's wrong clocks
        lastAlert.values().removeIf(last -> Times.plus(last, PERIOD_MS) <= t);
        if (lastAlert.containsKey(c.host())) {
            return;
        }
        lastAlert.put(c.host(), t);
        long off = Times.minus(c.claimedTs(), t);
        String way = off > 0 ? "ahead" : "behind";
        out.alert(
                new AlertOut(
                        "CLOCK_SKEW",
                        null,
                        c.host(),
                        List.of(),
                        "the clock of "
                                + c.host()
                                + " is "
                                + seconds(off == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(off))
                                + " s "
                                + way
                                + " (more than maxClockSkew "
                                + seconds(maxClockSkewMs)
                                + " s): an event stamped "
                                + Times.format(c.claimedTs())
                                + " arrived at "
                                + Times.format(t)
                                + " and takes that time; told once an hour",
                        t));
    }

    /** The hosts told within the last period (for tests). */
    public TreeMap<String, Long> told() {
        return new TreeMap<>(lastAlert);
    }

    private static String seconds(long ms) {
        return BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString();
    }

    public void write(StateOutput out) throws IOException {
        out.writeMap(lastAlert, (v, o) -> o.writeTs(v));
    }

    public static ClockAlerts read(StateInput in) throws IOException {
        ClockAlerts c = new ClockAlerts();
        in.readMap(c.lastAlert, StateInput::readTs);
        return c;
    }
}
