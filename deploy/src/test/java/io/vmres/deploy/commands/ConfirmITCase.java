package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.runtime.Await;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.schema.Alert;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentKind;
import io.vmres.schema.IncidentState;
import io.vmres.schema.KafkaEndpoint;
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
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code vmres confirm} on a real broker: one acknowledged {@code OperatorConfirm} by host, then
 * the job's answer, here given by a stand-in that reads the request and answers as the job does.
 */
@Tag("slow")
class ConfirmITCase {
    // events of another day, whose own ts must stand: producer timestamps on the inputs
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA =
            new EmbeddedKafkaExtension(EmbeddedKafka.builder().appendTimeOnInputs(false));

    @Test
    void sendsOneConfirmationKeyedByHostAndSaysWhereItWent() throws Exception {
        Instant now = Instant.parse("2026-03-01T10:00:00.123Z");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        Confirm.Sent sent =
                Confirm.send(
                        KafkaEndpoint.of(KAFKA.bootstrapServers()),
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
                        "Request sent: rack7-host12 is down at 2026-03-01T10:00:00.123Z",
                        "alice",
                        Topics.REQUESTS);
    }

    @Test
    @SuppressWarnings("try") // the fake job answers while it is open; the body never names it
    void aConfirmationTheJobIgnoresSaysWhyAndExitsThree() throws Exception {
        try (FakeJob job =
                FakeJob.answering(
                        c ->
                                Alert.newBuilder()
                                        .setKind("CONFIRM_IGNORED")
                                        .setHost(c.getHost())
                                        .setDetail("host is alive")
                                        .setTs(c.getTs())
                                        .build())) {
            ByteArrayOutputStream terminal = new ByteArrayOutputStream();
            int code = confirm("h04", Duration.ofSeconds(30), terminal);
            assertThat(code).isEqualTo(Confirm.IGNORED).isEqualTo(3);
            assertThat(terminal.toString(StandardCharsets.UTF_8))
                    .contains("Request sent: h04 is down")
                    .contains("The job ignored the confirmation of h04: host is alive")
                    .doesNotContain("Confirmed");
        }
    }

    @Test
    @SuppressWarnings("try") // the fake job answers while it is open; the body never names it
    void aConfirmationTheJobAppliesSaysSoAndExitsZero() throws Exception {
        try (FakeJob job =
                FakeJob.answering(
                        c ->
                                Incident.newBuilder()
                                        .setIncidentId("inc-c1-0007")
                                        .setKind(IncidentKind.NEEDS_CONFIRMATION)
                                        .setHosts(List.of("h05"))
                                        .setState(IncidentState.RECOVERING)
                                        .setCluster("c1")
                                        .setEvidenceJson(
                                                "{\"confirmed\":{\"h05\":{\"requestedBy\":\"ana\"}}}")
                                        .setTs(c.getTs())
                                        .build())) {
            ByteArrayOutputStream terminal = new ByteArrayOutputStream();
            assertThat(confirm("h05", Duration.ofSeconds(30), terminal)).isZero();
            assertThat(terminal.toString(StandardCharsets.UTF_8))
                    .contains("The job applied it: incident inc-c1-0007 (NEEDS_CONFIRMATION)");
        }
    }

    @Test
    void noAnswerWithinTheWaitSaysSoAndExitsFour() throws Exception {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        assertThat(confirm("h06", Duration.ofSeconds(2), terminal)).isEqualTo(Confirm.UNANSWERED);
        assertThat(terminal.toString(StandardCharsets.UTF_8))
                .contains("No answer from the job within 2 seconds: is the vmres job running");
    }

    @Test
    void anUnreachableBrokerIsToldAtOnce() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        java.io.StringWriter err = new java.io.StringWriter();
        long t0 = System.nanoTime();
        int code =
                new Cli(new WiredActions())
                        .setErr(new java.io.PrintWriter(err, true))
                        .run("confirm", "h04", "--reason", "r", "--bootstrap", "127.0.0.1:" + port);
        assertThat(code).isEqualTo(Cli.FAILURE);
        assertThat(err.toString()).contains("cannot reach the Kafka at 127.0.0.1:" + port);
        assertThat(err.toString()).doesNotContain("not present in metadata");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    private static int confirm(String host, Duration wait, ByteArrayOutputStream terminal)
            throws InterruptedException {
        return Confirm.run(
                KafkaEndpoint.of(KAFKA.bootstrapServers()),
                host,
                "pulled the cords",
                "ana",
                wait,
                Clock.systemUTC(),
                new PrintStream(terminal, true, StandardCharsets.UTF_8));
    }

    /** Stands in for the job: answers each confirmation it reads on the requests topic. */
    private static final class FakeJob implements AutoCloseable {
        private final Thread thread;
        private final java.util.concurrent.CountDownLatch ready =
                new java.util.concurrent.CountDownLatch(1);
        private volatile boolean open = true;

        private FakeJob(java.util.function.Function<OperatorConfirm, SpecificRecord> answer) {
            thread =
                    new Thread(
                            () -> {
                                try (KafkaConsumer<byte[], byte[]> in = consumer();
                                        KafkaProducer<byte[], byte[]> out = producer()) {
                                    List<TopicPartition> parts = new ArrayList<>();
                                    in.partitionsFor(Topics.REQUESTS)
                                            .forEach(
                                                    p ->
                                                            parts.add(
                                                                    new TopicPartition(
                                                                            p.topic(),
                                                                            p.partition())));
                                    in.assign(parts);
                                    in.seekToEnd(parts);
                                    parts.forEach(in::position);
                                    ready.countDown(); // from here on, no request is missed
                                    AvroCodec codec = new AvroCodec();
                                    while (open) {
                                        for (ConsumerRecord<byte[], byte[]> r :
                                                in.poll(Duration.ofMillis(100))) {
                                            SpecificRecord a =
                                                    answer.apply(
                                                            (OperatorConfirm)
                                                                    codec.decode(r.value()));
                                            String topic =
                                                    a instanceof Alert
                                                            ? Topics.ALERTS
                                                            : Topics.INCIDENTS;
                                            out.send(
                                                            new ProducerRecord<>(
                                                                    topic,
                                                                    r.key(),
                                                                    codec.encode(a)))
                                                    .get();
                                        }
                                    }
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            "fake-job");
            thread.setDaemon(true);
        }

        static FakeJob answering(
                java.util.function.Function<OperatorConfirm, SpecificRecord> answer)
                throws InterruptedException {
            FakeJob job = new FakeJob(answer);
            job.thread.start();
            if (!job.ready.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the stand-in job did not start");
            }
            return job;
        }

        @Override
        public void close() {
            open = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer());
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
                                "--wait",
                                "0s",
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
