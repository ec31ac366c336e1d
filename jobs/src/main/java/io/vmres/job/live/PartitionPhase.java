package io.vmres.job.live;

import io.vmres.engine.Times;

/**
 * The watch of one heartbeat partition ({@link PartitionStallWatch}) as a state machine, apart from
 * Flink: what a record read and a timer do in each phase, what they tell and the one timer the
 * partition has next. Processing time.
 *
 * <pre>
 *   READING --quiet stallAfter--------------> STALLED   tell STALLED, timer at last + idleness
 *   READING --record-------------------------> READING   (timer kept: it checks the quiet again)
 *   READING --timer, read since--------------> READING   timer at last + stallAfter
 *   STALLED --record-------------------------> READING   tell RESUMED, timer at now + stallAfter
 *   STALLED --quiet heartbeatIdleness--------> LET_GO    tell LET_GO (event time lets it go), no timer
 *   LET_GO  --record-------------------------> READING   tell RESUMED, timer at now + stallAfter
 * </pre>
 *
 * Every move into {@code READING} after a stall arms the stall timer afresh, whatever timer was
 * pending: a second stall soon after a resume is seen {@code stallAfter} after its last record, as
 * the first was. A timer that is not the partition's pending one (replaced meanwhile) does nothing.
 */
public enum PartitionPhase {
    READING,
    STALLED,
    LET_GO;

    /** What a step tells the operator and the partition's hosts. */
    public enum Tell {
        NOTHING,
        /** {@code PARTITION_STALLED}, and each host noted stalled. */
        STALLED,
        /** {@code PARTITION_RESUMED}, and each host noted resumed. */
        RESUMED,
        /** Each host noted resumed: event time no longer waits for the partition. */
        LET_GO
    }

    /** A timer value that keeps the pending timer as it is. */
    public static final long KEEP = Long.MIN_VALUE;

    /** A timer value for no timer at all. */
    public static final long NONE = -1;

    /**
     * The outcome of a step: the next phase, what to tell, and the timer to have ({@link #KEEP},
     * {@link #NONE} or the processing time it fires at).
     */
    public record Step(PartitionPhase phase, Tell tell, long timer) {}

    /** The phase of a partition from its stored state (the format of every version). */
    public static PartitionPhase of(boolean stalled, boolean timerPending) {
        if (!stalled) {
            return READING;
        }
        return timerPending ? STALLED : LET_GO;
    }

    /** A record read at {@code now}; {@code timerPending}: the partition has a timer. */
    public Step read(long now, boolean timerPending, long stallAfterMs) {
        if (this == READING) {
            return new Step(READING, Tell.NOTHING, timerPending ? KEEP : at(now, stallAfterMs));
        }
        return new Step(READING, Tell.RESUMED, at(now, stallAfterMs));
    }

    /** The partition's timer fired at {@code t}; its latest record was read at {@code lastRead}. */
    public Step timer(long t, long lastRead, long stallAfterMs, long heartbeatIdlenessMs) {
        return switch (this) {
            case READING ->
                    t - lastRead >= stallAfterMs
                            ? new Step(STALLED, Tell.STALLED, at(lastRead, heartbeatIdlenessMs))
                            : new Step(READING, Tell.NOTHING, at(lastRead, stallAfterMs));
            case STALLED ->
                    t - lastRead >= heartbeatIdlenessMs
                            ? new Step(LET_GO, Tell.LET_GO, NONE)
                            : new Step(STALLED, Tell.NOTHING, at(lastRead, heartbeatIdlenessMs));
            case LET_GO -> new Step(LET_GO, Tell.NOTHING, NONE);
        };
    }

    private static long at(long from, long after) {
        return Times.plus(from, after);
    }
}
