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
 */
public final class InputWatermarks implements WatermarkStrategy<Decoded> {
    private static final long serialVersionUID = 1L;

    private final long outOfOrdernessMs;
    private final long idlenessMs;
    private final long heartbeatIdlenessMs;

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

    @Override
    public WatermarkGenerator<Decoded> createWatermarkGenerator(
            WatermarkGeneratorSupplier.Context context) {
        return new Generator(
                outOfOrdernessMs,
                idlenessMs,
                heartbeatIdlenessMs,
                clock == null ? SystemClock.getInstance() : clock);
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

        Generator(long outOfOrdernessMs, long idlenessMs, long heartbeatIdlenessMs, Clock clock) {
            this.outOfOrdernessMs = outOfOrdernessMs;
            this.idlenessMs = idlenessMs;
            this.heartbeatIdlenessMs = heartbeatIdlenessMs;
            this.clock = clock;
            this.maxTs = Long.MIN_VALUE + outOfOrdernessMs + 1;
            this.lastRecordAt = clock.relativeTimeMillis();
        }

        @Override
        public void onEvent(Decoded d, long ts, WatermarkOutput output) {
            maxTs = Math.max(maxTs, ts);
            heartbeats |= !d.isBad() && d.event() instanceof Heartbeat;
            lastRecordAt = clock.relativeTimeMillis();
            idle = false;
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
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
