package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.runtime.Await;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.engine.Times;
import io.vmres.engine.recording.RecordingReader;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import io.vmres.schema.Command;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Host;
import io.vmres.schema.Topics;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Recorder} on a real broker: a backlog spread over partitions comes out in time order,
 * committed records only, what is no input event left out and counted; Ctrl-C and the duration end
 * a recording with a complete file.
 */
@Tag("slow")
class RecorderITCase {
    // events of another day, whose own ts must stand: producer timestamps on the inputs
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA =
            new EmbeddedKafkaExtension(EmbeddedKafka.builder().appendTimeOnInputs(false));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroCodec CODEC = new AvroCodec();
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void aBacklogOverSeveralPartitionsIsRecordedInTimeOrder(@TempDir Path tmp) throws Exception {
        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(KAFKA.bootstrapServers())) {
            send(producer, Topics.INVENTORY, 0, "h1", host("h1"));
            send(producer, Topics.INVENTORY, 1, "h2", host("h2"));
            // Each host's minute of beats in its own partition: read one partition after the other,
            // arrival order would go back a minute.
            for (int i = 0; i < 60; i++) {
                send(producer, Topics.HEARTBEAT, 0, "h1", beat("h1", T0.plusMillis(1_000L * i)));
                send(
                        producer,
                        Topics.HEARTBEAT,
                        1,
                        "h2",
                        beat("h2", T0.plusMillis(1_000L * i + 500)));
            }
            send(producer, Topics.POWER, 2, "junk", "not avro".getBytes(StandardCharsets.UTF_8));
            send(producer, Topics.REQUESTS, 3, "h1", CODEC.encode(command()));
        }
        try (KafkaProducer<byte[], byte[]> tx = transactional()) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(record(Topics.HEARTBEAT, 2, "ghost", CODEC.encode(beat("ghost", T0))));
            tx.flush();
            tx.abortTransaction();
        }

        Path file = tmp.resolve("backlog.jsonl.gz");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        Recorder.Result result =
                Recorder.builder(KAFKA.bootstrapServers(), file)
                        .untilEnd(true)
                        .progress(
                                new PrintStream(terminal, true, StandardCharsets.UTF_8),
                                Duration.ofMillis(100))
                        .build()
                        .run();

        assertThat(result.lines()).isEqualTo(122);
        assertThat(result.skipped())
                .containsOnlyKeys(
                        "not a vmres record: too short for Avro single-object encoding",
                        "Command is not an input event");
        assertThat(terminal.toString(StandardCharsets.UTF_8))
                .contains("Recorded 122 events into " + file, "2 records left out");

        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(file)),
                                StandardCharsets.UTF_8))) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                lines.add(JSON.readTree(l));
            }
        }
        assertThat(lines.get(0).get("type").asText()).isEqualTo("meta");
        assertThat(lines.get(0).get("name").asText()).isEqualTo("backlog");
        assertThat(lines.get(0).get("description").asText()).contains(KAFKA.bootstrapServers());
        List<Long> ts = lines.stream().skip(1).map(l -> Times.parse(l.get("ts").asText())).toList();
        assertThat(ts).isSorted();
        assertThat(lines).noneMatch(l -> l.path("host").asText().equals("ghost"));
        assertThat(lines.get(1).toString())
                .isEqualTo(
                        "{\"type\":\"host\",\"ts\":\"2026-03-01T10:00:00.000Z\",\"host\":\"h1\","
                                + "\"cluster\":\"c1\",\"cpu\":64,\"memMb\":262144,\"hypervisor\":\"kvm\","
                                + "\"spare\":false,\"bmc\":true}");

        try (RecordingReader reader = RecordingReader.open(file, Map.of())) {
            reader.forEachRemaining(item -> {});
            assertThat(reader.events()).isEqualTo(122);
            assertThat(reader.deadLetters()).isZero();
            assertThat(reader.name()).isEqualTo("backlog");
        }
    }

    @Test
    void closeEndsARecordingWithACompleteFile(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("live.jsonl.gz");
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        Recorder recorder =
                Recorder.builder(KAFKA.bootstrapServers(), file)
                        .fromNow(true)
                        .progress(
                                new PrintStream(terminal, true, StandardCharsets.UTF_8),
                                Duration.ofSeconds(1))
                        .build();
        CompletableFuture<Recorder.Result> running =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return recorder.run();
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(KAFKA.bootstrapServers())) {
            // From now on: beats sent before the recorder found the end are not recorded, so send
            // until some are.
            Await.await(
                    Duration.ofSeconds(30),
                    () -> {
                        producer.send(
                                record(
                                        Topics.HEARTBEAT,
                                        0,
                                        "h9",
                                        CODEC.encode(beat("h9", Instant.now()))));
                        producer.flush();
                        return Optional.of(recorder.written()).filter(n -> n >= 3);
                    });
        }
        recorder.close(); // what Ctrl-C does, through the lifecycle
        Recorder.Result result = running.get(30, TimeUnit.SECONDS);
        assertThat(result.lines()).isGreaterThanOrEqualTo(3);
        try (RecordingReader reader = RecordingReader.open(file, Map.of())) {
            reader.forEachRemaining(item -> {});
            assertThat(reader.events()).isEqualTo(result.lines());
            assertThat(reader.deadLetters()).isZero();
        }
        assertThat(terminal.toString(StandardCharsets.UTF_8)).contains("until Ctrl-C", "Recorded ");
    }

    @Test
    void theDurationEndsARecording(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("sub").resolve("short.jsonl");
        long start = System.nanoTime();
        Recorder.Result result =
                Recorder.builder(KAFKA.bootstrapServers(), file)
                        .fromNow(true)
                        .duration(Duration.ofSeconds(1))
                        .progress(
                                new PrintStream(
                                        new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                                Duration.ofSeconds(1))
                        .build()
                        .run();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(20));
        assertThat(result.lines()).isZero();
        assertThat(Files.readAllLines(file))
                .singleElement()
                .asString()
                .startsWith("{\"type\":\"meta\",\"name\":\"short\"");
    }

    @Test
    void theCommandLineRecordsForTheDuration(@TempDir Path tmp) throws Exception {
        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(KAFKA.bootstrapServers())) {
            send(producer, Topics.HEARTBEAT, 3, "h5", beat("h5", T0));
        }
        Path file = tmp.resolve("cli.jsonl.gz");
        int code =
                new Cli(new WiredActions())
                        .run(
                                "record",
                                "--out",
                                file.toString(),
                                "--duration",
                                "2s",
                                "--bootstrap",
                                KAFKA.bootstrapServers());
        assertThat(code).isEqualTo(Cli.OK);
        try (RecordingReader reader = RecordingReader.open(file, Map.of())) {
            reader.forEachRemaining(item -> {});
            assertThat(reader.name()).isEqualTo("cli");
            assertThat(reader.events()).as("from the earliest offsets").isPositive();
            assertThat(reader.deadLetters()).isZero();
        }
    }

    private static Host host(String id) {
        return Host.newBuilder()
                .setHost(id)
                .setCluster("c1")
                .setCpu(64)
                .setMemMb(262_144)
                .setRack(null)
                .setPowerDomain(null)
                .setHypervisor("kvm")
                .setStorageDomains(null)
                .setSpare(false)
                .setBmc(true)
                .setTs(T0)
                .build();
    }

    private static Heartbeat beat(String host, Instant ts) {
        return Heartbeat.newBuilder().setHost(host).setChannel(Channel.mgmt).setTs(ts).build();
    }

    private static Command command() {
        return Command.newBuilder()
                .setCommandId("c1")
                .setIncidentId("i1")
                .setAction(Action.FENCE_HOST)
                .setHost("h1")
                .setAttempt(1)
                .setTs(T0)
                .build();
    }

    private static void send(
            Producer<byte[], byte[]> p,
            String topic,
            int partition,
            String key,
            SpecificRecord value) {
        send(p, topic, partition, key, CODEC.encode(value));
    }

    private static void send(
            Producer<byte[], byte[]> p, String topic, int partition, String key, byte[] value) {
        p.send(record(topic, partition, key, value));
    }

    private static ProducerRecord<byte[], byte[]> record(
            String topic, int partition, String key, byte[] value) {
        return new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static KafkaProducer<byte[], byte[]> transactional() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        KAFKA.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "recorder-test",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }
}
