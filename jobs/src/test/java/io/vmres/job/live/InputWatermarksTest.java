package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.ClockRule;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat partition that stops giving records holds event time far longer than one that never
 * carried heartbeats: a stalled leader makes no host silent, an empty partition of a small fleet
 * does not stop time.
 */
class InputWatermarksTest {
    private static final long T = 1_000_000;

    /** What a generator told: its last watermark, and whether it is idle. */
    private static final class Out implements WatermarkOutput {
        long watermark = Long.MIN_VALUE;
        boolean idle;

        @Override
        public void emitWatermark(Watermark w) {
            watermark = w.getTimestamp();
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    private static Decoded beat(long ts) {
        return Decoded.event(new Heartbeat(ts, 0, "h1", "mgmt"), null);
    }

    private static Decoded hostRecord(long ts) {
        return Decoded.event(
                new HostEvent(
                        ts, 0, "h1", "c1", 8, 8192, null, null, "kvm", List.of(), false, true),
                null);
    }

    @Test
    void aStalledHeartbeatPartitionHoldsEventTimeUntilHeartbeatIdleness() {
        ManualClock clock = new ManualClock(0);
        var gen = new InputWatermarks(2_000, 5_000, 120_000, clock).createWatermarkGenerator(null);
        Out out = new Out();
        gen.onEvent(beat(T), T, out);
        gen.onPeriodicEmit(out);
        assertThat(out.watermark).isEqualTo(T - 2_001);
        clock.advanceTime(java.time.Duration.ofSeconds(60)); // the leader hangs a minute
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        assertThat(out.watermark).isEqualTo(T - 2_001);
        clock.advanceTime(java.time.Duration.ofSeconds(60));
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isTrue(); // gone for two minutes: its hosts left, time goes on
        gen.onEvent(beat(T + 130_000), T + 130_000, out);
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        assertThat(out.watermark).isEqualTo(T + 127_999);
    }

    @Test
    void theStrategyTravelsWithTheJobGraph() throws Exception {
        InputWatermarks w =
                org.apache.flink.util.InstantiationUtil.clone(
                        new InputWatermarks(2_000, 5_000, 120_000));
        Out out = new Out();
        var gen = w.createWatermarkGenerator(null);
        gen.onEvent(beat(T), T, out);
        gen.onPeriodicEmit(out);
        assertThat(out.watermark).isEqualTo(T - 2_001);
    }

    @Test
    void aPartitionWithoutHeartbeatsIsIdleSoon() {
        ManualClock clock = new ManualClock(0);
        InputWatermarks w = new InputWatermarks(2_000, 5_000, 120_000, clock);
        var empty = w.createWatermarkGenerator(null);
        var inventory = w.createWatermarkGenerator(null);
        Out e = new Out();
        Out i = new Out();
        inventory.onEvent(hostRecord(T), T, i);
        clock.advanceTime(java.time.Duration.ofMillis(4_999));
        empty.onPeriodicEmit(e);
        inventory.onPeriodicEmit(i);
        assertThat(e.idle).isFalse();
        assertThat(i.idle).isFalse();
        clock.advanceTime(java.time.Duration.ofMillis(1));
        empty.onPeriodicEmit(e);
        inventory.onPeriodicEmit(i);
        assertThat(e.idle).isTrue();
        assertThat(i.idle).isTrue();
    }

    @Test
    void aSplitWithABacklogIsNeverIdleUntilItHasReadIt() {
        ManualClock clock = new ManualClock(0);
        InputWatermarks w = new InputWatermarks(2_000, 5_000, 120_000, clock);
        CatchUpSource.Backlog reader = new CatchUpSource.Backlog();
        CatchUpSource.Split far = reader.split("vmres.inventory-0");
        CatchUpSource.Split empty = reader.split("vmres.inventory-1");
        InputWatermarks.readerBacklog(reader);
        var gen = w.createWatermarkGenerator(null);
        var other = w.createWatermarkGenerator(null);
        InputWatermarks.readerBacklog(null);
        Out out = new Out();
        Out otherOut = new Out();
        // the backlogs are not known yet, no record has come: both held, at the least time
        clock.advanceTime(java.time.Duration.ofMinutes(5));
        gen.onPeriodicEmit(out);
        other.onPeriodicEmit(otherOut);
        assertThat(out.idle).isFalse();
        assertThat(otherOut.idle).isFalse();
        assertThat(out.watermark).isEqualTo(Long.MIN_VALUE);
        far.target(3); // the last record of its backlog is offset 2
        empty.target(0); // nothing to read
        reader.read("vmres.inventory-0", 0, ClockRule.NO_RECV_TS);
        gen.onEvent(hostRecord(T), T, out);
        clock.advanceTime(java.time.Duration.ofMinutes(5));
        gen.onPeriodicEmit(out);
        other.onPeriodicEmit(otherOut);
        assertThat(out.idle).isFalse();
        assertThat(out.watermark).isEqualTo(T - 2_001);
        // every split with a backlog has begun: the generator with no record is let go in time
        clock.advanceTime(java.time.Duration.ofSeconds(5));
        other.onPeriodicEmit(otherOut);
        assertThat(otherOut.idle).isTrue();
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        reader.read("vmres.inventory-0", 2, ClockRule.NO_RECV_TS);
        gen.onEvent(hostRecord(T + 1_000), T + 1_000, out);
        gen.onPeriodicEmit(out);
        clock.advanceTime(java.time.Duration.ofMillis(4_999));
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isFalse(); // quiet counts from its catching up
        clock.advanceTime(java.time.Duration.ofMillis(1));
        gen.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
    }
}
