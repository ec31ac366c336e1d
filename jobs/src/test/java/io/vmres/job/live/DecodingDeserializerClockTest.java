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

    /** The first and the last instant a time may name (years 0001 to 9999, docs/security.md). */
    private static final long FIRST =
            java.time.Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();

    private static final long LAST =
            java.time.Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    @Test
    void aStampAtEitherEndOfTimeTakesTheAppendTimeAndIsNoted() {
        for (long ts : new long[] {LAST, FIRST, NOW + 30_000, NOW - 25_000}) {
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
        List<Decoded> created = decode(LAST, NOW, TimestampType.CREATE_TIME);
        assertThat(created)
                .singleElement()
                .satisfies(d -> assertThat(d.event().ts()).isEqualTo(LAST));
    }

    @Test
    void aStampNoTimeCanNameIsBadInputWhateverItsAppendTime() {
        for (long ts : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, LAST + 1, FIRST - 1}) {
            for (TimestampType type :
                    new TimestampType[] {
                        TimestampType.LOG_APPEND_TIME, TimestampType.CREATE_TIME
                    }) {
                assertThat(decode(ts, NOW, type))
                        .singleElement()
                        .satisfies(
                                d -> {
                                    assertThat(d.isBad()).isTrue();
                                    assertThat(d.deadLetter().getReason())
                                            .contains("not in the years 0001..9999");
                                });
            }
        }
    }
}
