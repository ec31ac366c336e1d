package io.vmres.job.live;

import io.vmres.engine.ClockRule;
import io.vmres.engine.Times;
import java.util.HashMap;
import java.util.Map;

/**
 * Steps back of the brokers' append time, per partition (the reader's thread; apart from Flink).
 * One leader appends a partition's records with growing append times; a new leader whose clock is
 * behind the old one's by more than {@code appendTimeMargin} breaks that. The partition's watermark
 * ({@link InputWatermarks}) then stays where its greatest append time put it until its append time
 * is past that again: it holds event time. Its records meanwhile would take their append time less
 * up to {@code maxClockSkew} by the Wrong clocks rule, behind that held watermark, and be dropped
 * as late: hosts that beat all along would look silent. So while a partition holds, each of its
 * events takes no earlier a time than the partition's greatest append time less {@code
 * maxClockSkew}, which lies after its held watermark: the step is applied at the last instant the
 * partition had reached, and event time moves again when the partition's append time is past it.
 *
 * <p>The first record of a step tells it ({@link #read} gives the step), and so does the first
 * record past it (the step caught up, with how much append time it took): the {@code
 * APPEND_TIME_STEPPED_BACK} and {@code APPEND_TIME_CAUGHT_UP} alerts ({@link AppendStepAlerts}).
 */
final class AppendSteps {
    /** No step told by a record. */
    static final long NO_STEP = 0;

    private final long maxClockSkewMs;
    private final long marginMs;
    private final Map<String, Partition> partitions = new HashMap<>();

    /**
     * One partition: its greatest append time, the greatest append time its watermark was moved to
     * by its end, and the append time its hold began at.
     */
    private static final class Partition {
        long maxAppendTs = ClockRule.NO_RECV_TS;
        long atEndTs = ClockRule.NO_RECV_TS;

        /**
         * The append time of the first record of the step held ({@link ClockRule#NO_RECV_TS}:
         * none).
         */
        long heldFrom = ClockRule.NO_RECV_TS;
    }

    /**
     * What one record read tells: {@code floorTs} the least event time its event may take ({@link
     * Long#MIN_VALUE}: the partition does not hold, the Wrong clocks rule alone); {@code step}
     * above 0: the record is the first of a step back of that many ms; below 0: it is the first
     * past a step, which held for that many ms of the partition's append time (negated); else
     * {@link #NO_STEP}.
     */
    record Read(long floorTs, long step) {
        static final Read NONE = new Read(Long.MIN_VALUE, NO_STEP);

        boolean holding() {
            return floorTs != Long.MIN_VALUE;
        }
    }

    /**
     * @param maxClockSkewMs the Wrong clocks rule's bound
     * @param marginMs how far a partition's append time may step back without holding
     */
    AppendSteps(long maxClockSkewMs, long marginMs) {
        if (maxClockSkewMs <= 0 || marginMs < 0) {
            throw new IllegalArgumentException("need maxClockSkew > 0 and appendTimeMargin >= 0");
        }
        this.maxClockSkewMs = maxClockSkewMs;
        this.marginMs = marginMs;
    }

    /** A record of {@code partition} appended at {@code appendTs} (or no append time known). */
    Read read(String partition, long appendTs) {
        if (appendTs == ClockRule.NO_RECV_TS) {
            return Read.NONE;
        }
        Partition p = partitions.computeIfAbsent(partition, k -> new Partition());
        // where the partition's watermark stands, less the trail: its records' or its end's
        long reached = Math.max(p.maxAppendTs, p.atEndTs);
        if (reached == ClockRule.NO_RECV_TS) {
            p.maxAppendTs = appendTs;
            return Read.NONE;
        }
        if (appendTs < Times.minus(reached, marginMs)) {
            // behind what the partition had reached by more than the margin: held there
            long step = NO_STEP;
            if (p.heldFrom == ClockRule.NO_RECV_TS) {
                p.heldFrom = appendTs;
                step = reached - appendTs;
            }
            return new Read(Times.minus(reached, maxClockSkewMs), step);
        }
        long step = NO_STEP;
        if (p.heldFrom != ClockRule.NO_RECV_TS) {
            // caught up: within the margin of where it was, the Wrong clocks rule alone is safe
            step = -Math.max(1, appendTs - p.heldFrom);
            p.heldFrom = ClockRule.NO_RECV_TS;
        }
        p.maxAppendTs = Math.max(p.maxAppendTs, appendTs);
        return new Read(Long.MIN_VALUE, step);
    }

    /**
     * The watermark of {@code partition} was moved by its end, not its records, to {@code appendTs}
     * less the trail ({@link InputWatermarks}: a partition without heartbeats read up to its end
     * follows the append time read elsewhere). A record of it appended further back than the margin
     * from there, by a leader whose clock is behind the others', holds as a step back.
     */
    void atEnd(String partition, long appendTs) {
        if (appendTs == ClockRule.NO_RECV_TS) {
            return;
        }
        Partition p = partitions.computeIfAbsent(partition, k -> new Partition());
        p.atEndTs = Math.max(p.atEndTs, appendTs);
    }

    /** Whether {@code partition} holds now (for tests). */
    boolean holding(String partition) {
        Partition p = partitions.get(partition);
        return p != null && p.heldFrom != ClockRule.NO_RECV_TS;
    }
}
