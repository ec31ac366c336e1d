package io.vmres.job.live;

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
 * time is the least of its partitions'). Each partition's watermark trails its greatest ts by
 * {@code outOfOrderness}, as {@code forBoundedOutOfOrderness}.
 *
 * <p>A partition that gives nothing for a while stops holding event time back (it is idle), or an
 * empty partition, of a fleet smaller than the topic, would stop time for ever. But a partition
 * that has carried heartbeats is never idle as soon: when its leader hangs, or the job cannot read
 * it, the hosts on it are not silent, their heartbeats are only late. If event time went on without
 * them, their channels would be lost and the hosts declared failed and fenced for a delay of the
 * input alone. So a heartbeat partition holds event time for {@code heartbeatIdleness} (minutes,
 * far above heartbeatTimeout + outOfOrderness): no host is classified anywhere meanwhile, and
 * classification resumes with the data. {@link PartitionStallWatch} tells the operator.
 *
 * <p>A partition with a backlog is never idle: when the job starts or restores over records already
 * written, each split holds event time until its reader has read the records the partition held
 * then ({@link CatchUpSource} tells its generator what they are), however long they take to come.
 * Otherwise another partition's newer records would move event time and this one's arrive late
 * behind it.
 */
public final class InputWatermarks implements WatermarkStrategy<Decoded> {
    private static final long serialVersionUID = 1L;

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private final long heartbeatIdlenessMs;

    /** The backlog of the reader of the task's thread, which makes the splits' generators. */
    private static final ThreadLocal<CatchUpSource.Backlog> READER = new ThreadLocal<>();

    /** The processing-time clock: the system's (not serializable: null, then made where used). */
    private final transient Clock clock;

    /**
     * @param idlenessMs a partition that has carried no heartbeat is idle after this long quiet
     * @param heartbeatIdlenessMs a partition that has carried heartbeats is idle after this long
     */
    public InputWatermarks(long outOfOrdernessMs, long idlenessMs, long heartbeatIdlenessMs) {
        this(outOfOrdernessMs, idlenessMs, heartbeatIdlenessMs, null);
    }

    InputWatermarks(long outOfOrdernessMs, long idlenessMs, long heartbeatIdlenessMs, Clock clock) {
        if (outOfOrdernessMs < 0 || idlenessMs <= 0 || heartbeatIdlenessMs < idlenessMs) {
            throw new IllegalArgumentException(
                    "need outOfOrderness >= 0, idleness > 0 and heartbeatIdleness >= idleness");
        }
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.idlenessMs = idlenessMs;
        this.heartbeatIdlenessMs = heartbeatIdlenessMs;
        this.clock = clock;
    }

    /** The generators made from now on in this thread are of splits of this reader. */
    static void readerBacklog(CatchUpSource.Backlog backlog) {
        READER.set(backlog);
    }

    @Override
    public WatermarkGenerator<Decoded> createWatermarkGenerator(
            WatermarkGeneratorSupplier.Context context) {
        return new Generator(
                outOfOrdernessMs,
                idlenessMs,
                heartbeatIdlenessMs,
                clock == null ? SystemClock.getInstance() : clock,
                READER.get());
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

        /** The greatest ts so far; starts where the first watermark is the least one. */
        private long maxTs;

        private boolean heartbeats;
        private long lastRecordAt;
        private boolean idle;

        /** The backlog of the reader of the split (null: nothing to wait for). */
        private CatchUpSource.Backlog backlog;

        /** The split, known from its first record (null: none read yet). */
        private CatchUpSource.Split split;

        Generator(long outOfOrdernessMs, long idlenessMs, long heartbeatIdlenessMs, Clock clock) {
            this(outOfOrdernessMs, idlenessMs, heartbeatIdlenessMs, clock, null);
        }

        Generator(
                long outOfOrdernessMs,
                long idlenessMs,
                long heartbeatIdlenessMs,
                Clock clock,
                CatchUpSource.Backlog backlog) {
            this.backlog = backlog;
            this.outOfOrdernessMs = outOfOrdernessMs;
            this.idlenessMs = idlenessMs;
            this.heartbeatIdlenessMs = heartbeatIdlenessMs;
            this.clock = clock;
            this.maxTs = Long.MIN_VALUE + outOfOrdernessMs + 1;
            this.lastRecordAt = clock.relativeTimeMillis();
        }

        @Override
        public void onEvent(Decoded d, long ts, WatermarkOutput output) {
            if (backlog != null && split == null) {
                split = backlog.last();
            }
            maxTs = Math.max(maxTs, ts);
            heartbeats |= !d.isBad() && d.event() instanceof Heartbeat;
            lastRecordAt = clock.relativeTimeMillis();
            idle = false;
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (backlog != null) {
                boolean held = split != null ? !split.caughtUp() : backlog.anyUnstarted();
                if (held) {
                    // behind its backlog (or maybe): held, however long its records take to come
                    lastRecordAt = clock.relativeTimeMillis();
                    output.emitWatermark(new Watermark(maxTs - outOfOrdernessMs - 1));
                    return;
                }
                if (split != null) {
                    backlog = null; // read up: quiet counts from here
                }
            }
            long quiet = clock.relativeTimeMillis() - lastRecordAt;
            if (quiet >= (heartbeats ? heartbeatIdlenessMs : idlenessMs)) {
                if (!idle) {
                    output.markIdle();
                    idle = true;
                }
                return;
            }
            output.emitWatermark(new Watermark(maxTs - outOfOrdernessMs - 1));
        }

        /** Whether this partition no longer holds event time back (for tests). */
        boolean idle() {
            return idle;
        }
    }
}
