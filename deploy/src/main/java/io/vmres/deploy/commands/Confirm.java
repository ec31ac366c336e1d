package io.vmres.deploy.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.Times;
import io.vmres.schema.Alert;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Incident;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Topics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code vmres confirm}: an operator's confirmation that a host without a BMC is down, sent as an
 * {@link OperatorConfirm} keyed by the host to the requests topic and acknowledged by the broker;
 * then the job's answer, read off its topics: an incident line of the host holding the confirmation
 * (applied), or a {@code CONFIRM_IGNORED} alert naming the host (ignored, and why).
 */
public final class Confirm {
    /** How long the broker has to acknowledge the confirmation. */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    /** Exit code: the job ignored the confirmation ({@code CONFIRM_IGNORED}). */
    public static final int IGNORED = 3;

    /** Exit code: the job did not answer within the wait. */
    public static final int UNANSWERED = 4;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Confirm() {}

    /** What was sent, and where the broker put it. */
    public record Sent(OperatorConfirm confirm, String topic, int partition, long offset) {}

    /**
     * Checks that the broker answers and holds the requests topic, sends the confirmation, then
     * waits up to {@code wait} (zero: not at all) for the job's answer and prints it.
     *
     * @return 0 when applied (or only sent), {@link #IGNORED} or {@link #UNANSWERED}
     * @throws IllegalStateException when the broker cannot be reached or does not take the request
     */
    public static int run(
            KafkaEndpoint kafka,
            String host,
            String reason,
            String requestedBy,
            Duration wait,
            Clock clock,
            PrintStream out)
            throws InterruptedException {
        String bootstrap = kafka.bootstrap();
        probe(kafka);
        if (wait.isZero()) {
            send(kafka, host, reason, requestedBy, clock, out);
            out.println("Not waiting for the job's answer (--wait 0s).");
            return 0;
        }
        try (KafkaConsumer<byte[], byte[]> answers = answers(kafka)) {
            Sent sent = send(kafka, host, reason, requestedBy, clock, out);
            out.printf(
                    Locale.ROOT,
                    "Waiting up to %s for the job's answer...%n",
                    Words.count(Math.max(1, wait.toSeconds()), "second"));
            out.flush();
            long deadline = System.nanoTime() + wait.toNanos();
            AvroCodec codec = new AvroCodec();
            long ts = sent.confirm().getTs().toEpochMilli();
            while (System.nanoTime() < deadline) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                for (ConsumerRecord<byte[], byte[]> r :
                        answers.poll(Duration.ofMillis(Math.min(left, 500)))) {
                    Object answer;
                    try {
                        answer = codec.decode(r.value());
                    } catch (AvroCodec.BadRecordException e) {
                        continue; // not the job's: the dead-letter topic is where that is told
                    }
                    if (answer instanceof Alert a
                            && "CONFIRM_IGNORED".equals(a.getKind())
                            && host.equals(a.getHost())
                            && a.getTs().toEpochMilli() >= ts) {
                        out.printf(
                                Locale.ROOT,
                                "The job ignored the confirmation of %s: %s (CONFIRM_IGNORED alert"
                                        + " at %s). No VM is restarted on its account.%n",
                                host,
                                a.getDetail() == null ? "no reason given" : a.getDetail(),
                                Times.format(a.getTs().toEpochMilli()));
                        return IGNORED;
                    }
                    if (answer instanceof Incident i
                            && i.getHosts().contains(host)
                            && confirmed(i, host)) {
                        out.printf(
                                Locale.ROOT,
                                "The job applied it: incident %s (%s) holds the confirmation of %s;"
                                        + " the HA VMs of %s are restarted elsewhere.%n",
                                i.getIncidentId(),
                                i.getKind(),
                                host,
                                host);
                        return 0;
                    }
                }
            }
            out.printf(
                    Locale.ROOT,
                    "No answer from the job within %s: is the vmres job running against %s? The"
                            + " request stays on %s, and a job that starts later reads it.%n",
                    Words.count(Math.max(1, wait.toSeconds()), "second"),
                    bootstrap,
                    Topics.REQUESTS);
            return UNANSWERED;
        }
    }

    /**
     * Who confirms: the principal {@code kafka} authenticates as ({@code User:NAME}), with the
     * declared name after it when that differs; the declared name alone without authentication. The
     * ACLs of docs/security.md let only operators' principals write the requests topic.
     */
    static String requester(KafkaEndpoint kafka, String declaredBy) {
        return kafka.saslUser()
                .map(u -> "User:" + u + (u.equals(declaredBy) ? "" : " (" + declaredBy + ")"))
                .orElse(declaredBy);
    }

    /** Whether the incident line's evidence holds an operator's confirmation of the host. */
    private static boolean confirmed(Incident i, String host) {
        if (i.getEvidenceJson() == null) {
            return false;
        }
        try {
            return JSON.readTree(i.getEvidenceJson()).path("confirmed").has(host);
        } catch (java.io.IOException e) {
            return false; // an evidence that does not parse holds no confirmation
        }
    }

    /**
     * Asks the broker, briefly, whether it is there and holds the requests topic: a producer would
     * wait its whole timeout for metadata and then only say the topic was not there.
     */
    static void probe(KafkaEndpoint kafka) throws InterruptedException {
        String bootstrap = kafka.bootstrap();
        Set<String> topics = KafkaProbe.topics(kafka, "vmres-confirm-probe");
        if (!topics.contains(Topics.REQUESTS)) {
            throw new IllegalStateException(
                    "the Kafka at "
                            + bootstrap
                            + " has no topic "
                            + Topics.REQUESTS
                            + ": is vmres running against it?");
        }
    }

    /** A consumer at the end of the job's incidents and alerts, from before the request. */
    private static KafkaConsumer<byte[], byte[]> answers(KafkaEndpoint kafka) {
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        kafka.client(
                                Map.of(
                                        ConsumerConfig.CLIENT_ID_CONFIG,
                                        "vmres-confirm-answers",
                                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                        "read_committed",
                                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                        false)),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        try {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.ALERTS, Topics.INCIDENTS)) {
                for (PartitionInfo p : c.partitionsFor(topic, KafkaProbe.TIMEOUT)) {
                    parts.add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            c.assign(parts);
            c.seekToEnd(parts);
            parts.forEach(p -> c.position(p, KafkaProbe.TIMEOUT)); // fixed now, before the request
            return c;
        } catch (RuntimeException e) {
            c.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
    }

    /**
     * Sends the confirmation ({@code ts} = now by the clock) and waits for the broker's
     * acknowledgement; prints what was sent. When {@code kafka} authenticates with a user name
     * (SASL), the confirmation names that principal first: {@code User:NAME}, then {@code
     * requestedBy} in parentheses when it says something else.
     *
     * @throws IllegalStateException when the broker does not acknowledge it in time or refuses it
     */
    public static Sent send(
            KafkaEndpoint kafka,
            String host,
            String reason,
            String declaredBy,
            Clock clock,
            PrintStream out)
            throws InterruptedException {
        String bootstrap = kafka.bootstrap();
        String requestedBy = requester(kafka, declaredBy);
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
                new KafkaProducer<>(
                        kafka.client(conf), new ByteArraySerializer(), new ByteArraySerializer())) {
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
                "Request sent: %s is down at %s (requested by %s, reason: %s), to %s, partition %d,"
                        + " offset %d.%n",
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
