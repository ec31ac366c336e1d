package io.vmres.deploy.commands;

import io.vmres.engine.Times;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code vmres confirm}: an operator's confirmation that a host without a BMC is down, sent as an
 * {@link OperatorConfirm} keyed by the host to the requests topic and acknowledged by the broker.
 */
public final class Confirm {
    /** How long the broker has to acknowledge the confirmation. */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private Confirm() {}

    /** What was sent, and where the broker put it. */
    public record Sent(OperatorConfirm confirm, String topic, int partition, long offset) {}

    /**
     * Sends the confirmation ({@code ts} = now by the clock) and waits for the broker's
     * acknowledgement; prints what was sent.
     *
     * @throws IllegalStateException when the broker does not acknowledge it in time or refuses it
     */
    public static Sent send(
            String bootstrap,
            String host,
            String reason,
            String requestedBy,
            Clock clock,
            PrintStream out)
            throws InterruptedException {
        OperatorConfirm confirm =
                OperatorConfirm.newBuilder()
                        .setHost(host)
                        .setReason(reason)
                        .setRequestedBy(requestedBy)
                        .setTs(Instant.ofEpochMilli(clock.millis()))
                        .build();
        byte[] value = new AvroCodec().encode(confirm);
        Map<String, Object> conf =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.CLIENT_ID_CONFIG,
                        "vmres-confirm",
                        // bounds the send as a whole, metadata included, when the broker cannot be
                        // reached
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        (int) ACK_TIMEOUT.toMillis(),
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        (int) ACK_TIMEOUT.toMillis(),
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        10_000);
        RecordMetadata meta;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(conf, new ByteArraySerializer(), new ByteArraySerializer())) {
            meta =
                    producer.send(
                                    new ProducerRecord<>(
                                            Topics.REQUESTS,
                                            host.getBytes(StandardCharsets.UTF_8),
                                            value))
                            .get(ACK_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the Kafka at "
                            + bootstrap
                            + " did not take the confirmation: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "the Kafka at "
                            + bootstrap
                            + " did not acknowledge the confirmation within "
                            + ACK_TIMEOUT.toSeconds()
                            + " s",
                    e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException(
                    "cannot reach the Kafka at " + bootstrap + ": " + e.getMessage(), e);
        }
        out.printf(
                Locale.ROOT,
                "Confirmed %s is down at %s (requested by %s, reason: %s): sent to %s, partition %d, offset"
                        + " %d.%n",
                host,
                Times.format(confirm.getTs().toEpochMilli()),
                requestedBy,
                reason,
                meta.topic(),
                meta.partition(),
                meta.offset());
        return new Sent(confirm, meta.topic(), meta.partition(), meta.offset());
    }
}
