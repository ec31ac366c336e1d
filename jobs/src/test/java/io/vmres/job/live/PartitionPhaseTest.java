package io.vmres.job.live;

import static io.vmres.job.live.PartitionPhase.KEEP;
import static io.vmres.job.live.PartitionPhase.LET_GO;
import static io.vmres.job.live.PartitionPhase.NONE;
import static io.vmres.job.live.PartitionPhase.READING;
import static io.vmres.job.live.PartitionPhase.STALLED;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.job.live.PartitionPhase.Step;
import io.vmres.job.live.PartitionPhase.Tell;
import org.junit.jupiter.api.Test;

/** Every transition of a heartbeat partition's watch: stall after 5 s, let go after 120 s. */
class PartitionPhaseTest {
    private static final long STALL = 5_000;
    private static final long IDLE = 120_000;

    @Test
    void thePhaseComesFromTheStoredState() {
        assertThat(PartitionPhase.of(false, false)).isEqualTo(READING);
        assertThat(PartitionPhase.of(false, true)).isEqualTo(READING);
        assertThat(PartitionPhase.of(true, true)).isEqualTo(STALLED);
        assertThat(PartitionPhase.of(true, false)).isEqualTo(LET_GO);
    }

    @Test
    void aRecordWhileReadingKeepsThePendingTimerOrArmsOne() {
        assertThat(READING.read(1_000, true, STALL))
                .isEqualTo(new Step(READING, Tell.NOTHING, KEEP));
        assertThat(READING.read(1_000, false, STALL))
                .isEqualTo(new Step(READING, Tell.NOTHING, 6_000));
    }

    @Test
    void aTimerWhileReadingTellsAStallOnlyAfterStallAfterQuiet() {
        // read since the timer was set: checked again stallAfter after the latest record
        assertThat(READING.timer(6_000, 3_000, STALL, IDLE))
                .isEqualTo(new Step(READING, Tell.NOTHING, 8_000));
        assertThat(READING.timer(6_000, 1_000, STALL, IDLE))
                .isEqualTo(new Step(STALLED, Tell.STALLED, 121_000));
    }

    @Test
    void aRecordAfterAStallResumesAndArmsTheStallTimerAfresh() {
        // whatever timer was pending (the let-go timer): the next stall is seen in time
        assertThat(STALLED.read(30_000, true, STALL))
                .isEqualTo(new Step(READING, Tell.RESUMED, 35_000));
        assertThat(LET_GO.read(300_000, false, STALL))
                .isEqualTo(new Step(READING, Tell.RESUMED, 305_000));
    }

    @Test
    void aStalledPartitionIsLetGoAfterHeartbeatIdleness() {
        assertThat(STALLED.timer(60_000, 1_000, STALL, IDLE))
                .isEqualTo(new Step(STALLED, Tell.NOTHING, 121_000));
        assertThat(STALLED.timer(121_000, 1_000, STALL, IDLE))
                .isEqualTo(new Step(LET_GO, Tell.LET_GO, NONE));
        assertThat(LET_GO.timer(500_000, 1_000, STALL, IDLE))
                .isEqualTo(new Step(LET_GO, Tell.NOTHING, NONE));
    }
}
