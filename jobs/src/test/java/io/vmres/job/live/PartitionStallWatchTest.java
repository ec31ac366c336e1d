package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.out.AlertOut;
import io.vmres.job.Emitted;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** A heartbeat partition that gives nothing is told, with its hosts, once; and again when read. */
@SuppressWarnings("try") // test harnesses and fixtures held open by try-with-resources
class PartitionStallWatchTest {
    private static final String P = "vmres.telemetry.heartbeat-1";

    /** The watch of a partition quiet for 5 s, let go after 120 s, keyed by the partition. */
    private static KeyedOneInputStreamOperatorTestHarness<
                    String, Tuple3<String, String, Long>, Emitted>
            watch() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new PartitionStallWatch(5_000, 120_000), t -> t.f0, Types.STRING);
    }

    private static List<AlertOut> alerts(
            KeyedOneInputStreamOperatorTestHarness<String, Tuple3<String, String, Long>, Emitted>
                    h) {
        return h.extractOutputValues().stream().map(e -> (AlertOut) e.line()).toList();
    }

    @Test
    void aQuietHeartbeatPartitionIsToldOnceWithItsHostsThenResumed() throws Exception {
        try (var h = watch()) {
            h.setProcessingTime(0);
            h.processElement(Tuple3.of(P, "h-003", 1_000L), 0);
            h.setProcessingTime(1_000);
            h.processElement(Tuple3.of(P, "h-007", 2_000L), 0);
            h.setProcessingTime(5_999);
            assertThat(alerts(h)).isEmpty(); // quiet for less than 5 s
            h.setProcessingTime(6_000);
            h.setProcessingTime(30_000);
            h.setProcessingTime(60_000);
            assertThat(alerts(h))
                    .singleElement()
                    .satisfies(
                            a -> {
                                assertThat(a.kind()).isEqualTo(PartitionStallWatch.STALLED);
                                assertThat(a.detail())
                                        .contains(P)
                                        .contains("h-003, h-007")
                                        .contains("for 5 s");
                                assertThat(a.ts()).isEqualTo(2_000L);
                            });
            h.setProcessingTime(61_000);
            h.processElement(Tuple3.of(P, "h-003", 3_000L), 0);
            assertThat(alerts(h)).hasSize(2);
            assertThat(alerts(h).get(1).kind()).isEqualTo(PartitionStallWatch.RESUMED);
            assertThat(alerts(h).get(1).detail()).contains("60 s");
        }
    }

    private static List<String> notes(
            KeyedOneInputStreamOperatorTestHarness<String, Tuple3<String, String, Long>, Emitted>
                    h) {
        List<String> out = new ArrayList<>();
        var side = h.getSideOutput(PartitionStallWatch.EVENTS);
        if (side != null) {
            for (var r : side) {
                TelemetryStall n = (TelemetryStall) r.getValue().event();
                assertThat(r.getValue().partition()).isEqualTo(P).isEqualTo(n.partition());
                out.add(n.type() + " " + n.host() + "@" + n.ts());
            }
        }
        return out;
    }

    @Test
    void eachHostOfAStalledPartitionIsNotedStalledThenResumedInEventTime() throws Exception {
        try (var h = watch()) {
            h.setProcessingTime(0);
            h.processElement(Tuple3.of(P, "h-007", 1_000L), 0);
            h.processElement(Tuple3.of(P, "h-003", 2_000L), 0);
            h.setProcessingTime(4_999);
            assertThat(notes(h)).isEmpty();
            h.setProcessingTime(5_000);
            // at the partition's latest event time: event time waits for the partition there
            assertThat(notes(h))
                    .containsExactly(
                            "telemetry-stalled h-003@2000", "telemetry-stalled h-007@2000");
            h.setProcessingTime(60_000);
            assertThat(notes(h)).hasSize(2);
            // the waiting heartbeats took their late append time; the partition's event time ran
            // 2 s ahead of processing time before the stall, so it is resumed 60 s after 2 s
            h.processElement(Tuple3.of(P, "h-007", 61_000L), 0);
            assertThat(notes(h))
                    .containsExactly(
                            "telemetry-stalled h-003@2000",
                            "telemetry-stalled h-007@2000",
                            "telemetry-resumed h-003@62000",
                            "telemetry-resumed h-007@62000");
        }
    }

    @Test
    void aResumeFirstReadingARecordStampedBeforeTheGapIsStampedWhenTheDataFlowsAgain()
            throws Exception {
        try (var h = watch()) {
            // read as appended: event time (the brokers' append time) follows processing time
            for (long t = 0; t <= 10_000; t += 1_000) {
                h.setProcessingTime(t);
                h.processElement(Tuple3.of(P, "h-003", t), 0);
                h.processElement(Tuple3.of(P, "h-007", t), 0);
            }
            h.setProcessingTime(15_000);
            assertThat(notes(h))
                    .containsExactly(
                            "telemetry-stalled h-003@10000", "telemetry-stalled h-007@10000");
            // 60 s later the partition is read again, first a heartbeat appended before the gap;
            // those that waited in the producers come next, appended about now: silence counts
            // from no earlier than now
            h.setProcessingTime(70_000);
            h.processElement(Tuple3.of(P, "h-007", 10_500L), 0);
            assertThat(notes(h)).hasSize(4);
            List<String> resumed = notes(h).subList(2, 4);
            assertThat(resumed)
                    .allSatisfy(n -> assertThat(n).startsWith("telemetry-resumed "))
                    .allSatisfy(
                            n ->
                                    assertThat(Long.parseLong(n.substring(n.indexOf('@') + 1)))
                                            .isGreaterThanOrEqualTo(70_000L));
            assertThat(alerts(h))
                    .extracting(AlertOut::kind)
                    .containsExactly(PartitionStallWatch.STALLED, PartitionStallWatch.RESUMED);
        }
    }

    @Test
    void aResumeOnEventTimeOfAnotherDayFollowsThePartitionsEventTimeNotTheJobsClock()
            throws Exception {
        long day = 86_400_000L;
        try (var h = watch()) {
            // event time runs a day behind the job's clock (producer timestamps, or a job clock
            // a day ahead of the brokers')
            h.setProcessingTime(day);
            h.processElement(Tuple3.of(P, "h-003", 1_000L), 0);
            h.setProcessingTime(day + 30_000);
            h.processElement(Tuple3.of(P, "h-003", 1_500L), 0);
            assertThat(notes(h))
                    .containsExactly(
                            "telemetry-stalled h-003@1000", "telemetry-resumed h-003@31000");
        }
    }

    @Test
    void aPartitionQuietForHeartbeatIdlenessIsLetGoAndItsHostsResumed() throws Exception {
        try (var h = watch()) {
            h.setProcessingTime(0);
            h.processElement(Tuple3.of(P, "h-003", 1_000L), 0);
            h.setProcessingTime(119_999);
            assertThat(notes(h)).containsExactly("telemetry-stalled h-003@1000");
            h.setProcessingTime(120_000);
            assertThat(notes(h))
                    .containsExactly(
                            "telemetry-stalled h-003@1000", "telemetry-resumed h-003@1000");
        }
    }

    @Test
    void aPartitionReadSteadilyIsNeverTold() throws Exception {
        try (var h = watch()) {
            for (long t = 0; t <= 60_000; t += 1_000) {
                h.setProcessingTime(t);
                h.processElement(Tuple3.of(P, "h-003", t), 0);
            }
            assertThat(alerts(h)).isEmpty();
            assertThat(notes(h)).isEmpty();
        }
    }

    @Test
    void aSecondStallSoonAfterAResumeIsToldAsTheFirst() throws Exception {
        try (var h = watch()) {
            h.setProcessingTime(0);
            h.processElement(Tuple3.of(P, "h-003", 1_000L), 0);
            h.setProcessingTime(5_000);
            assertThat(notes(h)).containsExactly("telemetry-stalled h-003@1000");
            // read again 20 s later, for a second, then stalled again
            h.setProcessingTime(20_000);
            h.processElement(Tuple3.of(P, "h-003", 20_000L), 0);
            h.setProcessingTime(21_000);
            h.processElement(Tuple3.of(P, "h-003", 21_000L), 0);
            h.setProcessingTime(25_999);
            assertThat(alerts(h))
                    .extracting(AlertOut::kind)
                    .containsExactly(PartitionStallWatch.STALLED, PartitionStallWatch.RESUMED);
            h.setProcessingTime(26_000);
            assertThat(alerts(h))
                    .extracting(AlertOut::kind)
                    .containsExactly(
                            PartitionStallWatch.STALLED,
                            PartitionStallWatch.RESUMED,
                            PartitionStallWatch.STALLED);
            assertThat(notes(h))
                    .containsExactly(
                            "telemetry-stalled h-003@1000",
                            "telemetry-resumed h-003@21000",
                            "telemetry-stalled h-003@21000");
            // and its let-go comes heartbeatIdleness after its own last record
            h.setProcessingTime(140_999);
            assertThat(notes(h)).hasSize(3);
            h.setProcessingTime(141_000);
            assertThat(notes(h)).last().isEqualTo("telemetry-resumed h-003@21000");
        }
    }
}
