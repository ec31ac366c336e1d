package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Heartbeat;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.DeadLetters;
import io.vmres.schema.Health;
import io.vmres.schema.Maintenance;
import io.vmres.schema.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Every record decodes to an event or to one dead letter: none throws. */
class DecodingDeserializerTest {
    private static final AvroCodec CODEC = new AvroCodec();
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static List<Decoded> decode(byte[] value) {
        return decode(Topics.HEARTBEAT, value);
    }

    private static List<Decoded> decode(String topic, byte[] value) {
        List<Decoded> out = new ArrayList<>();
        new DecodingDeserializer(1000)
                .deserialize(
                        new ConsumerRecord<>(topic, 0, 7L, null, value),
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

    private static byte[] heartbeat(String host) {
        return CODEC.encode(
                io.vmres.schema.Heartbeat.newBuilder()
                        .setHost(host)
                        .setChannel(Channel.mgmt)
                        .setTs(T0)
                        .build());
    }

    @Test
    void aHostName70000CharactersLongIsOneDeadLetter() {
        List<Decoded> out = decode(heartbeat("h".repeat(70_000)));
        assertThat(out).singleElement().satisfies(d -> assertThat(d.isBad()).isTrue());
        DeadLetter dl = out.get(0).deadLetter();
        assertThat(dl.getReason()).isEqualTo("bad host: longer than 256 characters");
        assertThat(dl.getLine()).isEqualTo(7L);
        // a bounded prefix and the hash of the whole record
        assertThat(Base64.getDecoder().decode(dl.getRaw())).hasSize(DeadLetters.RAW_PREFIX_BYTES);
        assertThat(dl.getSize()).isEqualTo((long) heartbeat("h".repeat(70_000)).length);
        assertThat(dl.getSha256())
                .isEqualTo(DeadLetters.sha256(heartbeat("h".repeat(70_000))))
                .hasSize(64);
        // and the dead letter can itself be serialized between operators and written to Kafka
        assertThat(CODEC.encode(dl).length).isLessThan(8_000);
    }

    @Test
    void aHostOf256CharactersIsAnEvent() {
        List<Decoded> out = decode(heartbeat("h".repeat(256)));
        assertThat(out).singleElement().satisfies(d -> assertThat(d.isBad()).isFalse());
        assertThat(((Heartbeat) out.get(0).event()).host()).hasSize(256);
    }

    @Test
    void aRecordOverOneMegabyteIsADeadLetterOfBoundedSize() {
        byte[] big = new byte[AvroCodec.MAX_RECORD_BYTES + 10];
        big[0] = (byte) 0xC3;
        big[1] = 0x01;
        List<Decoded> out = decode(big);
        DeadLetter dl = out.get(0).deadLetter();
        assertThat(dl.getReason()).contains("over 1048576");
        assertThat(dl.getSize()).isEqualTo((long) big.length);
        assertThat(CODEC.encode(dl).length).isLessThan(8_000);
    }

    @Test
    void outOfRangeTimesTextsAndNumbersAreDeadLetters() {
        assertThat(
                        reason(
                                CODEC.encode(
                                        io.vmres.schema.Heartbeat.newBuilder()
                                                .setHost("h1")
                                                .setChannel(Channel.mgmt)
                                                .setTs(Instant.ofEpochMilli(Long.MAX_VALUE))
                                                .build())))
                .startsWith("bad ts");
        assertThat(
                        reason(
                                Topics.REQUESTS,
                                CODEC.encode(
                                        Maintenance.newBuilder()
                                                .setHost("h1")
                                                .setDeadline(T0)
                                                .setReason("r".repeat(4097))
                                                .setTs(T0)
                                                .build())))
                .isEqualTo("bad reason: longer than 4096 characters");
        assertThat(
                        decode(
                                        Topics.REQUESTS,
                                        CODEC.encode(
                                                Maintenance.newBuilder()
                                                        .setHost("h1")
                                                        .setDeadline(T0)
                                                        .setReason("r".repeat(4096))
                                                        .setTs(T0)
                                                        .build()))
                                .get(0)
                                .isBad())
                .isFalse();
        assertThat(
                        reason(
                                Topics.HEALTH,
                                CODEC.encode(
                                        Health.newBuilder()
                                                .setHost("h1")
                                                .setSensor("cpu_temp_c")
                                                .setValue(Double.NaN)
                                                .setTs(T0)
                                                .build())))
                .isEqualTo("bad value: not a finite number");
        assertThat(reason(null)).contains("too short");
    }

    @Test
    void aRecordOnAnotherTopicThanItsOwnIsADeadLetter() {
        byte[] host =
                CODEC.encode(
                        io.vmres.schema.Host.newBuilder()
                                .setHost("h1")
                                .setCluster("c1")
                                .setCpu(8)
                                .setMemMb(1024)
                                .setTs(T0)
                                .build());
        assertThat(reason(Topics.HEARTBEAT, host))
                .isEqualTo("a Host record does not belong on " + Topics.HEARTBEAT);
        assertThat(decode(Topics.INVENTORY, host).get(0).isBad()).isFalse();
    }

    private static String reason(byte[] value) {
        return reason(Topics.HEARTBEAT, value);
    }

    private static String reason(String topic, byte[] value) {
        List<Decoded> out = decode(topic, value);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).isBad()).isTrue();
        return out.get(0).deadLetter().getReason();
    }
}
