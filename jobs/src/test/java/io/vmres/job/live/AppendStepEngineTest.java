package io.vmres.job.live;

import static io.vmres.job.EngineOperatorFixture.T0;
import static io.vmres.job.EngineOperatorFixture.lines;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Settings;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.job.Emitted;
import io.vmres.job.EngineFunction;
import io.vmres.job.EngineOperatorFixture;
import io.vmres.job.Routed;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import io.vmres.schema.Heartbeat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.apache.flink.util.clock.ManualClock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat partition whose new leader's clock is 20 s behind the old one's, longer than
 * heartbeatTimeout + outOfOrderness, from the broker's record to the engine's decisions: the
 * decoder, the partition's watermark generator and the engine operator of the live job. The beats
 * appended during the step are applied (no dead letter, no {@code LATE_EVENT}); no host that beat
 * all along is declared; a host that stops beating during the step is declared once event time
 * moves again.
 */
// Flink's test utilities declare close() throws Exception
@SuppressWarnings("try")
class AppendStepEngineTest {
    private static final String TOPIC = "vmres.telemetry.heartbeat";
    private static final AvroCodec CODEC = new AvroCodec();

    private final CatchUpSource.Backlog reader = new CatchUpSource.Backlog();
    private final DecodingDeserializer decoder = new DecodingDeserializer(1_000, null, 100);
    private final WatermarkGenerator<Decoded> generator;
    private long offset;
    private long seq;
    private long watermark = Long.MIN_VALUE;

    AppendStepEngineTest() {
        reader.split(TOPIC + "-0").target(0);
        decoder.countReads(reader);
        InputWatermarks.readerBacklog(reader);
        try {
            generator =
                    new InputWatermarks(2_000, 5_000, 120_000, 1_000, 100, new ManualClock(0))
                            .createWatermarkGenerator(null);
        } finally {
            InputWatermarks.readerBacklog(null);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> engine()
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new EngineFunction(
                        Settings.DEFAULTS,
                        ClusterEngine.Hypervisor.EXTERNAL,
                        false,
                        false,
                        null,
                        true,
                        true),
                Routed::cluster,
                Types.STRING);
    }

    /** A beat of {@code host} stamped {@code ts}, appended at {@code appendTs}, to the engine. */
    private List<Decoded> beat(
            KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> h,
            String host,
            long ts,
            long appendTs)
            throws Exception {
        byte[] value =
                CODEC.encode(
                        Heartbeat.newBuilder()
                                .setHost(host)
                                .setChannel(Channel.mgmt)
                                .setTs(Instant.ofEpochMilli(ts))
                                .build());
        List<Decoded> made = new ArrayList<>();
        decoder.deserialize(
                new ConsumerRecord<>(
                        TOPIC,
                        0,
                        offset++,
                        appendTs,
                        TimestampType.LOG_APPEND_TIME,
                        0,
                        value.length,
                        null,
                        value,
                        new RecordHeaders(),
                        Optional.empty()),
                new Collector<>() {
                    @Override
                    public void collect(Decoded d) {
                        made.add(d);
                    }

                    @Override
                    public void close() {}
                });
        WatermarkOutput out =
                new WatermarkOutput() {
                    @Override
                    public void emitWatermark(Watermark w) {
                        watermark = Math.max(watermark, w.getTimestamp());
                    }

                    @Override
                    public void markIdle() {}

                    @Override
                    public void markActive() {}
                };
        for (Decoded d : made) {
            generator.onEvent(d, d.event().ts(), out);
            h.processElement(Routed.of("c1", d.event()), d.event().ts());
        }
        long before = watermark;
        generator.onPeriodicEmit(out);
        if (watermark > before) {
            h.processWatermark(watermark);
        }
        return made;
    }

    private HostEvent host(String name) {
        return EngineOperatorFixture.host(seq++, name);
    }

    @Test
    void theBeatsOfAStepBackAreAppliedAndOnlyAHostThatStoppedIsDeclared() throws Exception {
        try (var h = engine()) {
            for (String name : List.of("h1", "h2", "h3")) {
                h.processElement(Routed.of("c1", host(name)), T0);
            }
            List<Long> told = new ArrayList<>();
            long caughtUpAt = 0;
            long declaredAt = 0;
            for (long s = 1; s <= 60; s++) {
                long now = T0 + s * 1_000;
                // the old leader's clock is right; from 6 s on a new one's is 20 s behind
                long appendTs = s <= 5 ? now : now - 20_000;
                for (String name : List.of("h1", "h2", "h3")) {
                    if (name.equals("h3") && s > 12) {
                        continue; // h3 dies during the step
                    }
                    for (Decoded d : beat(h, name, now, appendTs)) {
                        if (d.appendStep() != 0) {
                            told.add(d.appendStep());
                            caughtUpAt = d.appendStep() < 0 ? s : caughtUpAt;
                        }
                    }
                }
                if (declaredAt == 0 && !lines(h, IncidentOut.class).isEmpty()) {
                    declaredAt = s;
                }
                if (s < caughtUpAt || caughtUpAt == 0) {
                    // the step is held: event time waits at the old leader's last append time
                    assertThat(watermark).isLessThanOrEqualTo(T0 + 5_000 - 1_101);
                }
            }
            // told once as it began (19 s back: 20 s less the second between), once as it ended
            assertThat(told).containsExactly(19_000L, -19_000L);
            assertThat(caughtUpAt).isEqualTo(25);
            assertThat(lines(h, DeadLetterOut.class)).isEmpty();
            assertThat(lines(h, AlertOut.class))
                    .extracting(AlertOut::kind)
                    .doesNotContain("LATE_EVENT");
            // only h3, declared once event time has moved 12 s past its last beat of the hold
            assertThat(lines(h, IncidentOut.class))
                    .isNotEmpty()
                    .allSatisfy(i -> assertThat(i.hosts()).containsExactly("h3"));
            assertThat(declaredAt).isGreaterThan(caughtUpAt);
        }
    }
}
