package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.runtime.Await;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmres connector --type sim} on a real broker: the simulated fleet's telemetry goes out, a
 * command is run and answered, and closing the lifecycle (Ctrl-C) stops it with exit code 0.
 */
@Tag("slow")
class SimConnectorITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void publishesTelemetryAndAnswersCommandsUntilCtrlC() throws Exception {
        Cli cli = new Cli(new WiredActions());
        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(
                        () ->
                                cli.run(
                                        "connector",
                                        "--type",
                                        "sim",
                                        "--bootstrap",
                                        KAFKA.bootstrapServers()));
        AvroCodec codec = new AvroCodec();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.HEARTBEAT, Topics.COMMAND_RESULTS));
            Await.await(
                    Duration.ofSeconds(60),
                    () -> {
                        assertThat(exit).as("the connector runs").isNotDone();
                        return first(consumer, codec, Heartbeat.class);
                    });

            Command fence =
                    Command.newBuilder()
                            .setCommandId("fence-h001-1")
                            .setIncidentId("i1")
                            .setAction(Action.FENCE_HOST)
                            .setHost("h001")
                            .setCluster("c1")
                            .setAttempt(1)
                            .setTs(Instant.now())
                            .build();
            try (Producer<byte[], byte[]> producer =
                    LiveRuntime.producer(KAFKA.bootstrapServers())) {
                producer.send(
                        new ProducerRecord<>(
                                Topics.COMMANDS,
                                "h001".getBytes(StandardCharsets.UTF_8),
                                codec.encode(fence)));
            }
            CommandResult result =
                    Await.await(
                            Duration.ofSeconds(60),
                            () ->
                                    first(consumer, codec, CommandResult.class)
                                            .filter(r -> r.getCommandId().equals("fence-h001-1")));
            assertThat(result.getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        } finally {
            cli.lifecycle().close(); // what Ctrl-C does
        }
        assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(Cli.OK);
    }

    @Test
    void aConfigurationWithoutHostsFailsAndSaysWhy(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("pool.properties"), "group=pool-a\n");
        for (String type : List.of("libvirt", "ipmi")) {
            StringWriter err = new StringWriter();
            int code =
                    new Cli(new WiredActions())
                            .setErr(new PrintWriter(err, true))
                            .run(
                                    "connector",
                                    "--type",
                                    type,
                                    "--config",
                                    config.toString(),
                                    "--bootstrap",
                                    KAFKA.bootstrapServers());
            assertThat(code).isEqualTo(Cli.FAILURE);
            assertThat(err.toString()).contains("no " + type + ".host.<host>.");
        }
    }

    /** The first record of that type in the next poll. */
    private static <T extends SpecificRecord> Optional<T> first(
            KafkaConsumer<byte[], byte[]> consumer, AvroCodec codec, Class<T> type) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            try {
                SpecificRecord value = codec.decode(r.value());
                if (type.isInstance(value)) {
                    return Optional.of(type.cast(value));
                }
            } catch (AvroCodec.BadRecordException e) {
                throw new AssertionError(r.topic() + " holds a record that does not decode", e);
            }
        }
        return Optional.empty();
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "sim-connector-test",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }
}
