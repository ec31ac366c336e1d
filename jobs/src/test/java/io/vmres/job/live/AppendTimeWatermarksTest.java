package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.ClockRule;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.Power;
import io.vmres.schema.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.Collector;
import org.apache.flink.util.clock.ManualClock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Event time of partitions of the broker's append time: each trails its greatest append time by
 * maxClockSkew (1 s) + the margin (100 ms), which no record read after it can be behind; a step
 * back of append time beyond the margin holds it until append time is past where it was, and the
 * records of the step come after it, applied, not late; a partition without heartbeats read up to
 * the end its reader asked follows what the reader read before asking; a heartbeat partition never
 * does.
 */
class AppendTimeWatermarksTest {
    private static final long T = 1_000_000;
    private static final long SKEW = 1_000;
    private static final long MARGIN = 100;
    private static final String BEATS = "vmres.telemetry.heartbeat-0";
    private static final String POWER = "vmres.telemetry.power-0";

    /** What a generator told: its last watermark, and whether it is idle. */
    private static final class Out implements WatermarkOutput {
        long watermark = Long.MIN_VALUE;
        boolean idle;

        @Override
        public void emitWatermark(Watermark w) {
            watermark = Math.max(watermark, w.getTimestamp()); // as Flink: never back
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

    private final ManualClock clock = new ManualClock(0);
    private final CatchUpSource.Backlog reader = new CatchUpSource.Backlog();
    private final InputWatermarks strategy =
            new InputWatermarks(2_000, 5_000, 120_000, SKEW, MARGIN, clock);

    AppendTimeWatermarksTest() {
        reader.split(BEATS).target(0); // no backlog: nothing to wait for
        reader.split(POWER).target(0);
    }

    private WatermarkGenerator<Decoded> generator() {
        InputWatermarks.readerBacklog(reader);
        try {
            return strategy.createWatermarkGenerator(null);
        } finally {
            InputWatermarks.readerBacklog(null);
        }
    }

    /** Reads a record of {@code partition} at {@code offset}, appended at {@code appendTs}. */
    private void read(
            WatermarkGenerator<Decoded> gen,
            Out out,
            String partition,
            long offset,
            long appendTs,
            Decoded d) {
        reader.read(partition, offset, appendTs);
        gen.onEvent(d, d.event().ts(), out);
    }

    private static Decoded beat(long ts) {
        return Decoded.event(new Heartbeat(ts, 0, "h1", "mgmt"), null);
    }

    private static Decoded power(long ts) {
        return Decoded.event(new Power(ts, 0, "h1", "on"), null);
    }

    /** The least event time a record appended at {@code appendTs} can have (Wrong clocks). */
    private static long leastTs(long appendTs) {
        return appendTs - SKEW;
    }

    @Test
    void aPartitionTrailsItsGreatestAppendTimeBySkewAndMarginNotByOutOfOrderness() {
        var gen = generator();
        Out out = new Out();
        read(gen, out, BEATS, 0, T, beat(T - 300)); // a host whose clock is 300 ms slow
        read(gen, out, BEATS, 1, T + 5, beat(T + 900)); // one 900 ms fast: within maxClockSkew
        gen.onPeriodicEmit(out);
        assertThat(out.watermark).isEqualTo(T + 5 - SKEW - MARGIN - 1);
        // the greatest ts less outOfOrderness would be 1.2 s later, not 0.9 s earlier
        assertThat(out.watermark).isGreaterThan(T + 900 - 2_000 - 1);
        // what comes next was appended no earlier than T + 5 - MARGIN: never behind the watermark
        assertThat(leastTs(T + 5 - MARGIN)).isGreaterThan(out.watermark);
        // a record of a step back beyond the margin could be: such a step is held (below)
        assertThat(leastTs(T + 5 - MARGIN - 1)).isEqualTo(out.watermark);
    }

    /** A collector that adds what it is given to {@code made}. */
    private static Collector<Decoded> into(List<Decoded> made) {
        return new Collector<>() {
            @Override
            public void collect(Decoded x) {
                made.add(x);
            }

            @Override
            public void close() {}
        };
    }

    /** A decoder that holds steps back beyond the margin, telling {@link #reader} its reads. */
    private DecodingDeserializer decoder() {
        DecodingDeserializer d = new DecodingDeserializer(SKEW, null, MARGIN);
        d.countReads(reader);
        return d;
    }

    /**
     * Decodes a heartbeat of {@code host} stamped {@code ts}, appended at {@code appendTs} at
     * {@code offset} of {@link #BEATS}, and gives what the decoder made of it to {@code gen}.
     */
    private List<Decoded> beat(
            DecodingDeserializer decoder,
            WatermarkGenerator<Decoded> gen,
            Out out,
            long offset,
            long appendTs,
            long ts) {
        List<Decoded> made = new ArrayList<>();
        decoder.deserialize(
                record(TimestampType.LOG_APPEND_TIME, 0, offset, appendTs, ts), into(made));
        for (Decoded d : made) {
            gen.onEvent(d, d.event().ts(), out);
        }
        return made;
    }

    @Test
    void aStepBackBeyondTheMarginHoldsEventTimeAndNoRecordOfItIsLate() {
        DecodingDeserializer decoder = decoder();
        var gen = generator();
        Out out = new Out();
        List<Long> told = new ArrayList<>();
        List<Long> held = new ArrayList<>();
        // a host beats every second, its clock right; so is the leader's until T + 2 s
        for (int k = 0; k <= 2; k++) {
            for (Decoded d : beat(decoder, gen, out, k, T + k * 1_000L, T + k * 1_000L)) {
                told.add(d.appendStep());
            }
            gen.onPeriodicEmit(out);
        }
        long before = out.watermark;
        assertThat(before).isEqualTo(T + 2_000 - 1_101);
        // a new leader, its clock 5 s behind: 3.9 s beyond the margin. Its append times are
        // behind the watermark by more than maxClockSkew, but the beats of the step come after it
        for (int k = 3; k <= 9; k++) {
            List<Decoded> made = beat(decoder, gen, out, k, T + k * 1_000L - 5_000, T + k * 1_000L);
            // held: no CLOCK_SKEW note (the broker's clock is in doubt, not the host's); past it
            // the leader's clock is the Wrong clocks rule's reference again, beat retimed, noted
            assertThat(made).hasSize(k < 7 ? 1 : 2);
            Decoded d = made.get(0);
            assertThat(d.event()).isInstanceOf(Heartbeat.class);
            assertThat(d.partition()).isEqualTo(BEATS);
            assertThat(d.event().ts()).isGreaterThan(out.watermark);
            gen.onPeriodicEmit(out);
            assertThat(d.event().ts()).isGreaterThan(out.watermark); // never late: applied
            told.add(d.appendStep());
            held.add(out.watermark);
            // held at the greatest append time less maxClockSkew, after the watermark
            assertThat(d.event().ts()).isEqualTo(k < 7 ? T + 2_000 - SKEW : T + k * 1_000L - 5_000);
        }
        // held from the step until its append time is back where it was (k = 7, T + 2 s)
        assertThat(held.subList(0, 5)).containsOnly(before);
        // then it moves again: k = 8 appended at T + 3 s, k = 9 at T + 4 s
        assertThat(held.subList(5, 7)).containsExactly(T + 3_000 - 1_101, T + 4_000 - 1_101);
        // told once on its first record (5 s back... less the second between: 4 s), once past it
        assertThat(told).containsExactly(0L, 0L, 0L, 4_000L, 0L, 0L, 0L, -4_000L, 0L, 0L);
        assertThat(AppendStepAlerts.alert(BEATS, 4_000, T, 120_000))
                .satisfies(
                        a -> {
                            assertThat(a.kind()).isEqualTo(AppendStepAlerts.STEPPED_BACK);
                            assertThat(a.detail())
                                    .startsWith("broker clock stepped back on " + BEATS)
                                    .contains("went back 4 s")
                                    .doesNotContain("heartbeatIdleness");
                        });
        assertThat(AppendStepAlerts.alert(BEATS, -4_000, T, 120_000).kind())
                .isEqualTo(AppendStepAlerts.CAUGHT_UP);
    }

    @Test
    void aStepBackWithinTheMarginIsNotHeldNorTold() {
        DecodingDeserializer decoder = decoder();
        var gen = generator();
        Out out = new Out();
        beat(decoder, gen, out, 0, T, T);
        gen.onPeriodicEmit(out);
        // 100 ms back: the margin; the Wrong clocks rule alone keeps it after the watermark
        List<Decoded> made = beat(decoder, gen, out, 1, T - MARGIN, T + 50);
        gen.onPeriodicEmit(out);
        assertThat(made).hasSize(1);
        assertThat(made.get(0).appendStep()).isZero();
        assertThat(made.get(0).event().ts()).isEqualTo(T + 50);
        assertThat(out.watermark).isEqualTo(T - 1_101);
        assertThat(leastTs(T - MARGIN)).isGreaterThan(out.watermark);
        // 1 ms further back holds: the beat takes the partition's greatest append time less skew
        made = beat(decoder, gen, out, 2, T - MARGIN - 1, T + 60);
        assertThat(made.get(0).appendStep()).isEqualTo(MARGIN + 1);
        assertThat(made.get(0).event().ts()).isEqualTo(T + 60); // its own ts: within skew of T
    }

    @Test
    void aStepLongerThanHeartbeatIdlenessIsStillWaitedForAndSaysSo() {
        DecodingDeserializer decoder = decoder();
        var gen = generator();
        Out out = new Out();
        beat(decoder, gen, out, 0, T + 600_000, T + 600_000);
        gen.onPeriodicEmit(out);
        long before = out.watermark;
        // a leader ten minutes behind; beats keep coming every second for five minutes
        List<Long> told = new ArrayList<>();
        for (int k = 1; k <= 300; k++) {
            clock.advanceTime(Duration.ofSeconds(1));
            for (Decoded d : beat(decoder, gen, out, k, T + k * 1_000L, T + 600_000 + k * 1_000L)) {
                assertThat(d.event().ts()).isEqualTo(T + 600_000 - SKEW);
                told.add(d.appendStep());
            }
            gen.onPeriodicEmit(out);
            assertThat(out.idle).isFalse();
            assertThat(out.watermark).isEqualTo(before);
        }
        assertThat(told.stream().filter(s -> s != 0)).containsExactly(599_000L);
        assertThat(AppendStepAlerts.alert(BEATS, 599_000, T, 120_000).detail())
                .contains("longer than heartbeatIdleness (120 s), it is waited for all the same");
    }

    /**
     * A power reading of h1 stamped {@code ts}, appended at {@code appendTs}, of {@link #POWER}.
     */
    private static ConsumerRecord<byte[], byte[]> powerRecord(long offset, long appendTs, long ts) {
        byte[] value =
                new io.vmres.schema.AvroCodec()
                        .encode(
                                io.vmres.schema.Power.newBuilder()
                                        .setHost("h1")
                                        .setState(io.vmres.schema.PowerState.on)
                                        .setTs(Instant.ofEpochMilli(ts))
                                        .build());
        return new ConsumerRecord<>(
                "vmres.telemetry.power",
                0,
                offset,
                appendTs,
                TimestampType.LOG_APPEND_TIME,
                0,
                value.length,
                null,
                value,
                new RecordHeaders(),
                Optional.empty());
    }

    @Test
    void aSparsePartitionMovedByItsEndHoldsARecordAppendedBehindIt() {
        DecodingDeserializer decoder = decoder();
        var power = generator();
        Out p = new Out();
        List<Decoded> made = new ArrayList<>();
        decoder.deserialize(powerRecord(0, T, T), into(made));
        power.onEvent(made.get(0), T, p);
        // read up to its end, asked once the reader had read up to T + 3 s elsewhere
        reader.ends(Map.of(POWER, 1L), T + 3_000);
        power.onPeriodicEmit(p);
        assertThat(p.watermark).isEqualTo(T + 3_000 - 1_101);
        // its new leader's clock is 2 s behind the others': its reading is held after the end
        made.clear();
        decoder.deserialize(powerRecord(1, T + 1_000, T + 3_050), into(made));
        assertThat(made).hasSize(1);
        assertThat(made.get(0).appendStep()).isEqualTo(2_000);
        assertThat(made.get(0).event().ts()).isEqualTo(T + 3_000 - SKEW);
        assertThat(made.get(0).event().ts()).isGreaterThan(p.watermark);
        power.onEvent(made.get(0), made.get(0).event().ts(), p);
        power.onPeriodicEmit(p);
        assertThat(p.watermark).isEqualTo(T + 3_000 - 1_101);
        // one appended after the end by a clock in step is not held, and on time
        made.clear();
        decoder.deserialize(powerRecord(2, T + 3_020, T + 3_020), into(made));
        assertThat(made.get(0).appendStep()).isEqualTo(-2_020);
        assertThat(made.get(0).event().ts()).isEqualTo(T + 3_020).isGreaterThan(p.watermark);
    }

    @Test
    void aTopicOfProducerTimestampsHoldsNoStep() {
        DecodingDeserializer decoder = decoder();
        List<Decoded> made = new ArrayList<>();
        decoder.deserialize(record(TimestampType.CREATE_TIME, 0, 0, T, T), into(made));
        decoder.deserialize(
                record(TimestampType.CREATE_TIME, 0, 1, T - 5_000, T - 5_000), into(made));
        assertThat(made).extracting(d -> d.event().ts()).containsExactly(T, T - 5_000);
        assertThat(made).extracting(Decoded::appendStep).containsOnly(0L);
    }

    @Test
    void aTopicOfProducerTimestampsKeepsOutOfOrderness() {
        var gen = generator();
        Out out = new Out();
        read(gen, out, BEATS, 0, ClockRule.NO_RECV_TS, beat(T));
        gen.onPeriodicEmit(out);
        assertThat(out.watermark).isEqualTo(T - 2_001);
        reader.ends(Map.of(BEATS, 1L), T + 10_000);
        gen.onPeriodicEmit(out);
        assertThat(out.watermark).isEqualTo(T - 2_001);
    }

    @Test
    void aSparsePartitionReadUpToItsEndFollowsWhatWasReadBeforeAsking() {
        var beats = generator();
        var power = generator();
        Out b = new Out();
        Out p = new Out();
        read(power, p, POWER, 0, T, power(T));
        read(beats, b, BEATS, 0, T + 3_000, beat(T + 3_000));
        beats.onPeriodicEmit(b);
        power.onPeriodicEmit(p);
        // not asked yet: the power partition holds event time at its last reading
        assertThat(p.watermark).isEqualTo(T - 1_101);
        // asked once the reader had read up to T + 3 s; the power partition ends at offset 1,
        // and its reader has read offset 0: nothing unread was appended before T + 3 s
        reader.ends(Map.of(POWER, 1L, BEATS, 1L), T + 3_000);
        power.onPeriodicEmit(p);
        assertThat(p.watermark).isEqualTo(T + 3_000 - 1_101);
        assertThat(p.idle).isFalse();
        // quiet for longer than idleness, but its end keeps moving it: active, never idle
        for (int i = 1; i <= 10; i++) {
            clock.advanceTime(Duration.ofSeconds(1));
            reader.ends(Map.of(POWER, 1L), T + 3_000 + i * 1_000);
            power.onPeriodicEmit(p);
        }
        assertThat(p.idle).isFalse();
        assertThat(p.watermark).isEqualTo(T + 13_000 - 1_101);
        // a reading appended after the answer is on time
        read(power, p, POWER, 1, T + 13_050, power(T + 13_050 - SKEW));
        power.onPeriodicEmit(p);
        assertThat(leastTs(T + 13_050)).isGreaterThan(p.watermark);
        // the answers stop: idle after idleness, as after a last record
        clock.advanceTime(Duration.ofMillis(4_999));
        power.onPeriodicEmit(p);
        assertThat(p.idle).isFalse();
        clock.advanceTime(Duration.ofMillis(1));
        power.onPeriodicEmit(p);
        assertThat(p.idle).isTrue();
    }

    @Test
    void aSparsePartitionBehindItsEndHoldsEventTimeAsEver() {
        // backpressure: the reader has not read what the partition held when asked
        var power = generator();
        Out p = new Out();
        read(power, p, POWER, 0, T, power(T));
        reader.ends(Map.of(POWER, 5L), T + 3_000);
        clock.advanceTime(Duration.ofMillis(4_999));
        power.onPeriodicEmit(p);
        assertThat(p.watermark).isEqualTo(T - 1_101);
        assertThat(p.idle).isFalse();
        clock.advanceTime(Duration.ofMillis(1)); // quiet for idleness: as ever
        power.onPeriodicEmit(p);
        assertThat(p.idle).isTrue();
    }

    @Test
    void aHeartbeatPartitionAtItsEndStillHoldsEventTime() {
        // its leader answers but appends nothing: the hosts' beats may wait in their producers
        var beats = generator();
        Out b = new Out();
        read(beats, b, BEATS, 0, T, beat(T));
        reader.ends(Map.of(BEATS, 1L), T + 60_000);
        clock.advanceTime(Duration.ofSeconds(60));
        beats.onPeriodicEmit(b);
        assertThat(b.watermark).isEqualTo(T - 1_101);
        assertThat(b.idle).isFalse();
    }

    @Test
    void theDecoderTellsTheAppendTimeOfLogAppendTimeTopicsOnly() {
        List<Long> told = new ArrayList<>();
        DecodingDeserializer d = new DecodingDeserializer(1_000);
        d.countReads((partition, offset, appendTs) -> told.add(appendTs));
        Collector<Decoded> none = into(new ArrayList<>());
        d.deserialize(record(TimestampType.LOG_APPEND_TIME, 0, 3, T + 7, T), none);
        d.deserialize(record(TimestampType.CREATE_TIME, 0, 3, T + 7, T), none);
        assertThat(told).containsExactly(T + 7, ClockRule.NO_RECV_TS);
    }

    /** A heartbeat of h1 stamped {@code ts} at {@code offset} of a heartbeat partition. */
    private static ConsumerRecord<byte[], byte[]> record(
            TimestampType type, int partition, long offset, long timestamp, long ts) {
        byte[] value =
                new io.vmres.schema.AvroCodec()
                        .encode(
                                io.vmres.schema.Heartbeat.newBuilder()
                                        .setHost("h1")
                                        .setChannel(Channel.mgmt)
                                        .setTs(Instant.ofEpochMilli(ts))
                                        .build());
        return new ConsumerRecord<>(
                "vmres.telemetry.heartbeat",
                partition,
                offset,
                timestamp,
                type,
                0,
                value.length,
                null,
                value,
                new RecordHeaders(),
                Optional.empty());
    }
}
