package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Times;
import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Heartbeat;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The live decoder applies the spec's Wrong clocks with the broker's append time, notes each
 * retimed event for the CLOCK_SKEW alert, and copes with a ts at either end of a long.
 */
class DecodingDeserializerClockTest {
    private static final long NOW = Times.parse("2026-03-01T10:00:00Z");

    private static List<Decoded> decode(long ts, long recordTs, TimestampType type) {
        byte[] value =
                new AvroCodec()
                        .encode(
                                io.vmres.schema.Heartbeat.newBuilder()
                                        .setHost("h1")
                                        .setChannel(Channel.mgmt)
                                        .setTs(Instant.ofEpochMilli(ts))
                                        .build());
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>(
                        "vmres.telemetry.heartbeat",
                        2,
                        17,
                        recordTs,
                        type,
                        0,
                        value.length,
                        null,
                        value,
                        new RecordHeaders(),
                        Optional.empty());
        List<Decoded> out = new ArrayList<>();
        new DecodingDeserializer(1000)
                .deserialize(
                        record,
                        new Collector<>() {
                            @Override
                            public void collect(Decoded d) {
                                out.add(d);
                            }

                            @Override
                            public void close() {}
                        });
        return out;
    }

    @Test
    void aStampAtEitherEndOfTimeTakesTheAppendTimeAndIsNoted() {
        for (long ts : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, NOW + 30_000, NOW - 25_000}) {
            List<Decoded> out = decode(ts, NOW, TimestampType.LOG_APPEND_TIME);
            assertThat(out).hasSize(2);
            assertThat(out.get(0).event()).isInstanceOf(Heartbeat.class);
            assertThat(out.get(0).event().ts()).isEqualTo(NOW);
            assertThat(out.get(0).partition()).isEqualTo("vmres.telemetry.heartbeat-2");
            ClockSkew note = (ClockSkew) out.get(1).event();
            assertThat(note.host()).isEqualTo("h1");
            assertThat(note.claimedTs()).isEqualTo(ts);
            assertThat(note.ts()).isEqualTo(NOW);
            assertThat(note.seq()).isEqualTo(out.get(0).event().seq());
        }
    }

    @Test
    void withinTheSkewOrWithoutAnAppendTimeTheStampStands() {
        List<Decoded> near = decode(NOW + 1000, NOW, TimestampType.LOG_APPEND_TIME);
        assertThat(near)
                .singleElement()
                .satisfies(d -> assertThat(d.event().ts()).isEqualTo(NOW + 1000));
        // a topic of producer timestamps tells nothing of arrival: even the end of time stands,
        // and the engine's arithmetic saturates on it (WrongClocksAndExtremeTimesTest)
        List<Decoded> created = decode(Long.MAX_VALUE, NOW, TimestampType.CREATE_TIME);
        assertThat(created)
                .singleElement()
                .satisfies(d -> assertThat(d.event().ts()).isEqualTo(Long.MAX_VALUE));
    }
}
