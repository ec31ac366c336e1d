package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.sim.Ledger;
import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * A connector process killed with SIGKILL in the middle of 500 commands, and a new one started on
 * the same configuration: the simulated fleet's ledger (a file, the ground truth of what ran) shows
 * each command run exactly once, and a {@code read_committed} reader of the results topic sees
 * exactly one result per command.
 */
@Tag("slow")
class ConnectorKillITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final int COMMANDS = 500;
    private static final AvroCodec CODEC = new AvroCodec();

    @TempDir Path dir;

    @Test
    void killedConnectorRunsEachCommandOnceAndAnswersEachOnce() throws Exception {
        Path ledger = dir.resolve("ledger.jsonl");
        Path config =
                Files.writeString(
                        dir.resolve("sim.properties"),
                        String.join(
                                "\n",
                                "group=vmres-connector-kill",
                                "exactly.once=true",
                                "max.in.flight=16",
                                "max.in.flight.per.target=4",
                                "command.timeout=PT10M",
                                "job.command.timeout=PT15M",
                                "sim.hosts=40",
                                "sim.vms.per.host=2",
                                "sim.telemetry=false",
                                "sim.latency.median=40ms",
                                "sim.latency.sigma=0.5",
                                "sim.ledger.file=" + ledger,
                                "metrics.interval=2s",
                                ""));
        List<String> ids = sendCommands();

        Process first = connector(config, "first");
        awaitTrue(Duration.ofSeconds(90), () -> lines(ledger) >= 150, "150 commands run", first);
        first.destroyForcibly(); // SIGKILL: no close, no commit, a transaction perhaps left open
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int ranBeforeKill = lines(ledger);
        assertThat(ranBeforeKill).as("killed in the middle").isLessThan(COMMANDS);

        Process second = connector(config, "second");
        try (KafkaConsumer<byte[], byte[]> results = resultsReader()) {
            Map<String, Integer> answers = new TreeMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!answers.keySet().containsAll(ids)) {
                assertThat(System.nanoTime()).as("every command answered").isLessThan(deadline);
                assertThat(second.isAlive()).as("the second connector runs").isTrue();
                read(results, answers);
            }
            // A while more, for any second answer.
            long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < quiet) {
                read(results, answers);
            }
            assertThat(answers.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(answers.entrySet().stream().filter(e -> e.getValue() != 1).toList())
                    .as("commands with more than one result")
                    .isEmpty();
            second.destroy(); // SIGTERM: the graceful path
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
            // It committed every command's offset before it went.
            assertThat(committedOffsets("vmres-connector-kill")).isEqualTo(endOffsets(results));
        } finally {
            if (second.isAlive()) {
                second.destroyForcibly();
            }
        }
        Map<String, Long> runs =
                Ledger.read(ledger).stream()
                        .collect(
                                Collectors.groupingBy(
                                        Ledger.Entry::commandId, Collectors.counting()));
        assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(runs.entrySet().stream().filter(e -> e.getValue() != 1).toList())
                .as("commands run more than once")
                .isEmpty();
        String log = Files.readString(dir.resolve("second.log"));
        assertThat(log).contains("metrics received=");
        System.out.printf(
                "killed after %d of %d commands ran; the second connector: %s%n",
                ranBeforeKill,
                COMMANDS,
                log.lines().filter(l -> l.contains("metrics ")).reduce((a, b) -> b).orElse(""));
    }

    private List<String> sendCommands() {
        List<String> ids = new ArrayList<>();
        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(KAFKA.bootstrapServers())) {
            for (int i = 0; i < COMMANDS; i++) {
                String target = String.format("h%02d", 1 + i % 40);
                String id = "kill-" + i;
                Command.Builder c =
                        Command.newBuilder()
                                .setCommandId(id)
                                .setIncidentId("inc-kill")
                                .setCluster("c" + (1 + i % 2))
                                .setAttempt(1)
                                .setTs(Instant.now());
                if (i % 10 == 9) {
                    c.setAction(Action.FENCE_HOST).setHost(target);
                } else {
                    c.setAction(Action.MAP_DISKS)
                            .setHost("h40")
                            .setTarget(target)
                            .setVms(List.of("vm-" + i))
                            .setDisks(List.of("disk-" + i));
                }
                producer.send(
                        new ProducerRecord<>(
                                Topics.COMMANDS,
                                target.getBytes(StandardCharsets.UTF_8),
                                CODEC.encode(c.build())));
                ids.add(id);
            }
            producer.flush();
        }
        return ids;
    }

    /** {@code vmres connector --type sim} in a JVM of its own. */
    private Process connector(Path config, String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(
                        java,
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Cli.class.getName(),
                        "connector",
                        "--type",
                        "sim",
                        "--config",
                        config.toString(),
                        "--bootstrap",
                        KAFKA.bootstrapServers())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    private static Map<Integer, Long> committedOffsets(String group) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                KAFKA.bootstrapServers()))) {
            Map<Integer, Long> out = new TreeMap<>();
            admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get()
                    .forEach(
                            (tp, om) -> {
                                if (tp.topic().equals(Topics.COMMANDS)) {
                                    out.put(tp.partition(), om.offset());
                                }
                            });
            return out;
        }
    }

    /** The end of each partition of the commands topic. */
    private static Map<Integer, Long> endOffsets(KafkaConsumer<byte[], byte[]> any) {
        List<org.apache.kafka.common.TopicPartition> parts =
                any.partitionsFor(Topics.COMMANDS).stream()
                        .map(
                                i ->
                                        new org.apache.kafka.common.TopicPartition(
                                                Topics.COMMANDS, i.partition()))
                        .toList();
        Map<Integer, Long> out = new TreeMap<>();
        any.endOffsets(parts).forEach((tp, end) -> out.put(tp.partition(), end));
        return out;
    }

    private static KafkaConsumer<byte[], byte[]> resultsReader() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "kill-test-reader");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(Topics.COMMAND_RESULTS));
        return c;
    }

    private static void read(KafkaConsumer<byte[], byte[]> c, Map<String, Integer> answers)
            throws AvroCodec.BadRecordException {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            CommandResult result = (CommandResult) CODEC.decode(r.value());
            if (result.getCommandId().startsWith("kill-")) {
                answers.merge(result.getCommandId(), 1, Integer::sum);
            }
        }
    }

    private static int lines(Path file) {
        try {
            return Files.exists(file) ? Ledger.read(file).size() : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void awaitTrue(
            Duration timeout, java.util.function.BooleanSupplier condition, String what, Process p)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                throw new AssertionError(
                        what
                                + " did not happen; connector log:\n"
                                + Files.readString(dir.resolve("first.log")));
            }
            Thread.sleep(20);
        }
    }
}
