package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.runtime.Await;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code vmres confirm} on a real broker: one acknowledged {@code OperatorConfirm} by host. */
@Tag("slow")
class ConfirmITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void sendsOneConfirmationKeyedByHostAndSaysWhereItWent() throws Exception {
        Instant now = Instant.parse("2026-03-01T10:00:00.123Z");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        Confirm.Sent sent =
                Confirm.send(
                        KAFKA.bootstrapServers(),
                        "rack7-host12",
                        "pulled the power cords",
                        "alice",
                        Clock.fixed(now, ZoneOffset.UTC),
                        new PrintStream(terminal, true, StandardCharsets.UTF_8));

        ConsumerRecord<byte[], byte[]> r =
                read(new TopicPartition(Topics.REQUESTS, sent.partition()), sent.offset());
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("rack7-host12");
        OperatorConfirm got = (OperatorConfirm) new AvroCodec().decode(r.value());
        assertThat(got.getHost()).isEqualTo("rack7-host12");
        assertThat(got.getReason()).isEqualTo("pulled the power cords");
        assertThat(got.getRequestedBy()).isEqualTo("alice");
        assertThat(got.getTs()).isEqualTo(now);
        assertThat(terminal.toString(StandardCharsets.UTF_8))
                .contains(
                        "Confirmed rack7-host12 is down at 2026-03-01T10:00:00.123Z",
                        "alice",
                        Topics.REQUESTS);
    }

    @Test
    void theCommandLineSendsIt() throws Exception {
        int code =
                new Cli(new WiredActions())
                        .run(
                                "confirm",
                                "h3",
                                "--reason",
                                "cut off",
                                "--requested-by",
                                "bob",
                                "--bootstrap",
                                KAFKA.bootstrapServers());
        assertThat(code).isEqualTo(Cli.OK);
        List<OperatorConfirm> confirms = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(Topics.REQUESTS)
                    .forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            AvroCodec codec = new AvroCodec();
            Await.await(
                    Duration.ofSeconds(30),
                    () -> {
                        for (ConsumerRecord<byte[], byte[]> r :
                                consumer.poll(Duration.ofMillis(200))) {
                            try {
                                confirms.add((OperatorConfirm) codec.decode(r.value()));
                            } catch (AvroCodec.BadRecordException e) {
                                throw new AssertionError(e);
                            }
                        }
                        return confirms.stream().filter(c -> c.getHost().equals("h3")).findFirst();
                    });
        }
        assertThat(confirms)
                .filteredOn(c -> c.getHost().equals("h3"))
                .singleElement()
                .satisfies(
                        c -> {
                            assertThat(c.getRequestedBy()).isEqualTo("bob");
                            assertThat(c.getReason()).isEqualTo("cut off");
                        });
    }

    private static ConsumerRecord<byte[], byte[]> read(TopicPartition tp, long offset)
            throws InterruptedException {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            return Await.await(
                    Duration.ofSeconds(30),
                    () -> {
                        for (ConsumerRecord<byte[], byte[]> r :
                                consumer.poll(Duration.ofMillis(200))) {
                            if (r.offset() == offset) {
                                return Optional.of(r);
                            }
                        }
                        return Optional.empty();
                    });
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        KAFKA.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }
}
