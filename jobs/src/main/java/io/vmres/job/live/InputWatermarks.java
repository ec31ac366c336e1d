package io.vmres.job.live;

import io.vmres.engine.ClockRule;
import io.vmres.engine.Times;
import io.vmres.engine.event.Heartbeat;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.Clock;
import org.apache.flink.util.clock.SystemClock;

/**
 * Event time of the live inputs, one generator per Kafka partition (the source combines them: event
 * time is the least of its partitions'). A partition of producer timestamps trails its greatest ts
 * by {@code outOfOrderness}, as {@code forBoundedOutOfOrderness}.
 *
 * <p>A partition whose records carry the broker's append time ({@code LogAppendTime}, the live
 * inputs) trails its greatest append time instead, by {@code maxClockSkew} + {@code
 * appendTimeMargin}. The Wrong clocks rule ({@link DecodingDeserializer}) gives every event a time
 * no earlier than its append time less {@code maxClockSkew}, and a partition's append times only
 * grow with its offsets (one leader appends them, by its clock): a record read after one appended
 * at {@code R} cannot be earlier than {@code R - maxClockSkew}. The margin covers a new leader
 * whose clock is behind the old one's. A step back beyond it holds the partition's watermark where
 * its greatest append time put it until its append time is past that again (the records of the step
 * do not move it), and its events meanwhile take no earlier a time than that greatest append time
 * less {@code maxClockSkew} ({@link AppendSteps}, in {@link DecodingDeserializer}): after the held
 * watermark, so they are applied, not late. Event time waits for the step, however long (records
 * keep coming: the partition is not idle), and {@link AppendStepAlerts} tells it.
 *
 * <p>A partition that has carried no heartbeat and has nothing to read no longer holds event time:
 * its reader asks the partitions' end offsets again as soon as the last answer has come and it has
 * read anything newer (at most every {@link CatchUpSource#ENDS_EVERY_MS}), and emits its splits'
 * watermarks as it takes an answer; once it has read up to the end it asked, every record still to
 * come was appended after the question, so after the greatest append time the reader had read
 * before asking: the partition's watermark is that, less {@code maxClockSkew} + {@code
 * appendTimeMargin} (the margin also covers the time an appended record takes to become readable,
 * its replication). A sparse power or health partition thus follows the heartbeats instead of
 * holding event time for {@code idleness}; and it is not idle while its end keeps moving it, so
 * that a record it carries later is never behind event time. When the answers stop, it is idle
 * {@code idleness} after the last, as after its last record.
 *
 * <p>A partition that gives nothing for a while stops holding event time back (it is idle), or an
 * empty partition, of a fleet smaller than the topic, would stop time for ever. But a partition
 * that has carried heartbeats is never idle as soon: when its leader hangs, or the job cannot read
 * it, the hosts on it are not silent, their heartbeats are only late. If event time went on without
 * them, their channels would be lost and the hosts declared failed and fenced for a delay of the
 * input alone. So a heartbeat partition holds event time for {@code heartbeatIdleness} (minutes,
 * far above heartbeatTimeout + outOfOrderness): no host is classified anywhere meanwhile, and
 * classification resumes with the data. {@link PartitionStallWatch} tells the operator. Its end
 * offsets are never taken for its hosts' silence: only its records move its watermark.
 *
 * <p>A partition with a backlog is never idle: when the job starts or restores over records already
 * written, each split holds event time until its reader has read the records the partition held
 * then ({@link CatchUpSource} tells its generator what they are), however long they take to come.
 * Otherwise another partition's newer records would move event time and this one's arrive late
 * behind it.
 */
public final class InputWatermarks implements WatermarkStrategy<Decoded> {
    private static final long serialVersionUID = 2L;

    /** The default of {@code appendTimeMargin}. */
    public static final long APPEND_TIME_MARGIN_MS = 100;

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private final long heartbeatIdlenessMs;

    /** maxClockSkew + appendTimeMargin: how far a partition's watermark trails its append time. */
    private final long appendTrailMs;

    private final long marginMs;

    /** The reader of the task's thread, which makes the splits' generators. */
    private static final ThreadLocal<CatchUpSource.Backlog> READER = new ThreadLocal<>();

    /** The steps back of append time of the task's decoder (null: none held). */
    private static final ThreadLocal<AppendSteps> STEPS = new ThreadLocal<>();

    /** The processing-time clock: the system's (not serializable: null, then made where used). */
    private final transient Clock clock;

    /**
     * Event time of producer timestamps only (append time is not looked at).
     *
     * @param idlenessMs a partition that has carried no heartbeat is idle after this long quiet
     * @param heartbeatIdlenessMs a partition that has carried heartbeats is idle after this long
     */
    public InputWatermarks(long outOfOrdernessMs, long idlenessMs, long heartbeatIdlenessMs) {
        this(outOfOrdernessMs, idlenessMs, heartbeatIdlenessMs, -1, 0, null);
    }

    /**
     * @param maxClockSkewMs the Wrong clocks rule's bound; negative: append time is not looked at
     * @param appendTimeMarginMs how far a partition's append time may step back (a new leader's
     *     clock) or a record take to become readable
     */
    public InputWatermarks(
            long outOfOrdernessMs,
            long idlenessMs,
            long heartbeatIdlenessMs,
            long maxClockSkewMs,
            long appendTimeMarginMs) {
        this(
                outOfOrdernessMs,
                idlenessMs,
                heartbeatIdlenessMs,
                maxClockSkewMs,
                appendTimeMarginMs,
                null);
    }

    InputWatermarks(long outOfOrdernessMs, long idlenessMs, long heartbeatIdlenessMs, Clock clock) {
        this(outOfOrdernessMs, idlenessMs, heartbeatIdlenessMs, -1, 0, clock);
    }

    InputWatermarks(
            long outOfOrdernessMs,
            long idlenessMs,
            long heartbeatIdlenessMs,
            long maxClockSkewMs,
            long appendTimeMarginMs,
            Clock clock) {
        if (outOfOrdernessMs < 0 || idlenessMs <= 0 || heartbeatIdlenessMs < idlenessMs) {
            throw new IllegalArgumentException(
                    "need outOfOrderness >= 0, idleness > 0 and heartbeatIdleness >= idleness");
        }
        if (appendTimeMarginMs < 0) {
            throw new IllegalArgumentException("need appendTimeMargin >= 0");
        }
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.idlenessMs = idlenessMs;
        this.heartbeatIdlenessMs = heartbeatIdlenessMs;
        this.appendTrailMs = maxClockSkewMs < 0 ? -1 : maxClockSkewMs + appendTimeMarginMs;
        this.marginMs = appendTimeMarginMs;
        this.clock = clock;
    }

    /** The generators made from now on in this thread are of splits of this reader. */
    static void readerBacklog(CatchUpSource.Backlog backlog) {
        READER.set(backlog);
    }

    /**
     * The generators made from now on in this thread tell {@code steps} (their reader's decoder's)
     * where their ends moved their watermarks.
     */
    static void readerSteps(AppendSteps steps) {
        STEPS.set(steps);
    }

    @Override
    public WatermarkGenerator<Decoded> createWatermarkGenerator(
            WatermarkGeneratorSupplier.Context context) {
        return new Generator(
                outOfOrdernessMs,
                idlenessMs,
                heartbeatIdlenessMs,
                appendTrailMs,
                marginMs,
                clock == null ? SystemClock.getInstance() : clock,
                READER.get(),
                STEPS.get());
    }

    @Override
    public TimestampAssigner<Decoded> createTimestampAssigner(
            TimestampAssignerSupplier.Context context) {
        // a dead letter has no event time: it neither moves event time nor is late
        return (d, ignored) -> d.isBad() ? Long.MIN_VALUE : d.event().ts();
    }

    /** The generator of one partition. */
    static final class Generator implements WatermarkGenerator<Decoded> {
        private final long outOfOrdernessMs;
        private final long idlenessMs;
        private final long heartbeatIdlenessMs;
        private final Clock clock;

        /**
         * How far the watermark trails the append time (-1: append time not looked at), of which
         * {@code marginMs} is the margin.
         */
        private final long appendTrailMs;

        private final long marginMs;

        /** The greatest ts so far; starts where the first watermark is the least one. */
        private long maxTs;

        /** The greatest append time so far ({@link ClockRule#NO_RECV_TS}: none). */
        private long maxAppendTs = ClockRule.NO_RECV_TS;

        private boolean heartbeats;
        private long lastRecordAt;
        private boolean idle;

        /** The watermark at its end last told, and when it last moved (processing time). */
        private long lastAtEnd = Long.MIN_VALUE;

        private long atEndMovedAt;

        /** The reader of the split (null: none known); what it reads tells the append time. */
        private final CatchUpSource.Backlog reader;

        /** Whether the split may still have to read a backlog (false: nothing to wait for). */
        private boolean holding;

        /** The split, known from its first record (null: none read yet). */
        private CatchUpSource.Split split;

        /** Told where the split's end moves its watermark (null: nothing to tell). */
        private final AppendSteps steps;

        Generator(long outOfOrdernessMs, long idlenessMs, long heartbeatIdlenessMs, Clock clock) {
            this(outOfOrdernessMs, idlenessMs, heartbeatIdlenessMs, -1, 0, clock, null, null);
        }

        Generator(
                long outOfOrdernessMs,
                long idlenessMs,
                long heartbeatIdlenessMs,
                long appendTrailMs,
                long marginMs,
                Clock clock,
                CatchUpSource.Backlog reader,
                AppendSteps steps) {
            this.reader = reader;
            this.steps = steps;
            this.holding = reader != null;
            this.outOfOrdernessMs = outOfOrdernessMs;
            this.idlenessMs = idlenessMs;
            this.heartbeatIdlenessMs = heartbeatIdlenessMs;
            this.appendTrailMs = appendTrailMs;
            this.marginMs = marginMs;
            this.clock = clock;
            this.maxTs = Long.MIN_VALUE + outOfOrdernessMs + 1;
            this.lastRecordAt = clock.relativeTimeMillis();
        }

        @Override
        public void onEvent(Decoded d, long ts, WatermarkOutput output) {
            if (reader != null && split == null) {
                split = reader.last();
                if (split != null) {
                    // its reader emits it at once when the split's end moves it
                    split.watermarks(this);
                }
            }
            maxTs = Math.max(maxTs, ts);
            if (reader != null && appendTrailMs >= 0) {
                appended(reader.lastAppendTs());
            }
            heartbeats |= !d.isBad() && d.event() instanceof Heartbeat;
            lastRecordAt = clock.relativeTimeMillis();
            idle = false;
        }

        /** The record just read was appended at {@code at} (or no append time is known). */
        private void appended(long at) {
            if (at == ClockRule.NO_RECV_TS) {
                return;
            }
            // a leader whose clock is behind the last one's: the watermark stays at the greatest
            // append time until the partition's is past it again (AppendSteps)
            maxAppendTs = Math.max(maxAppendTs, at);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (holding) {
                boolean held = split != null ? !split.caughtUp() : reader.anyUnstarted();
                if (held) {
                    // behind its backlog (or maybe): held, however long its records take to come
                    lastRecordAt = clock.relativeTimeMillis();
                    output.emitWatermark(new Watermark(watermark()));
                    return;
                }
                if (split != null) {
                    holding = false; // read up: quiet counts from here
                }
            }
            long atEnd = atEnd();
            if (atEnd > lastAtEnd) {
                // read up to an end asked since: it follows its reader, active as if it had data
                lastAtEnd = atEnd;
                atEndMovedAt = clock.relativeTimeMillis();
                if (steps != null) {
                    // what it appends next must not be behind it: else it is a step back
                    steps.atEnd(split.id, split.unreadAppendedAfter());
                }
            }
            long quiet = clock.relativeTimeMillis() - Math.max(lastRecordAt, atEndMovedAt);
            if (quiet >= (heartbeats ? heartbeatIdlenessMs : idlenessMs)) {
                if (!idle) {
                    output.markIdle();
                    idle = true;
                }
                return;
            }
            // read up to its end: what comes was appended later than what was read elsewhere
            output.emitWatermark(new Watermark(Math.max(watermark(), atEnd)));
        }

        /** The watermark of what the partition has carried. */
        private long watermark() {
            if (appendTrailMs >= 0 && maxAppendTs != ClockRule.NO_RECV_TS) {
                return Times.minus(maxAppendTs, appendTrailMs + 1);
            }
            return maxTs - outOfOrdernessMs - 1;
        }

        /**
         * The watermark of a partition that has carried no heartbeat, read up to its end as last
         * asked: the append time read before asking, less the trail; the least long otherwise. A
         * record it carries later from a leader whose clock is behind the others' is held after it
         * ({@link AppendSteps#atEnd}).
         */
        private long atEnd() {
            if (heartbeats
                    || split == null
                    || appendTrailMs < 0
                    || maxAppendTs == ClockRule.NO_RECV_TS) {
                return Long.MIN_VALUE;
            }
            long after = split.unreadAppendedAfter();
            return after == ClockRule.NO_RECV_TS
                    ? Long.MIN_VALUE
                    : Times.minus(after, appendTrailMs + 1);
        }

        /** Whether the partition has carried a heartbeat (its end never moves it). */
        boolean heartbeats() {
            return heartbeats;
        }

        /** Whether this partition no longer holds event time back (for tests). */
        boolean idle() {
            return idle;
        }
    }
}
