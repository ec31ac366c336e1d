package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmres.connector.ipmi.IpmiSimulator;
import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
import org.libvirt.Connect;

/**
 * {@code vmres connector --type libvirt} and {@code --type ipmi} as a user runs them, side by side
 * on one broker, against real libvirt (its test driver) and a real {@code ipmi_sim}: a VM of a host
 * that is down restarted on a second libvirt host, a host fenced over IPMI and verified off, a
 * fence of an unreachable BMC failed; each command answered once, by the connector it is for.
 */
@Tag("slow")
class HardwareConnectorITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final AvroCodec CODEC = new AvroCodec();

    @TempDir Path dir;

    @Test
    void libvirtAndIpmiConnectorsRunTheirCommands() throws Exception {
        assumeTrue(libvirtInstalled(), "libvirt is not installed (run bin/setup --with libvirt)");
        assumeTrue(
                IpmiSimulator.available(), "ipmi_sim is not installed (run bin/setup --with ipmi)");
        Path bmcDir = Files.createDirectories(dir.resolve("bmc"));
        Path xmlDir = Files.createDirectories(dir.resolve("domains"));
        Files.writeString(
                xmlDir.resolve("vm1.xml"),
                "<domain type='test'><name>vm1</name><memory>1048576</memory>"
                        + "<os><type>hvm</type></os></domain>");
        Path h2 =
                Files.writeString(
                        dir.resolve("h2.xml"),
                        "<node><pool type='dir'><name>vols</name><target><path>/vols</path></target>"
                                + "<volume type='file'><name>vm1-disk</name><capacity unit='G'>1</capacity>"
                                + "</volume></pool></node>");
        Path libvirtConfig =
                Files.writeString(
                        dir.resolve("libvirt.properties"),
                        String.join(
                                "\n",
                                "# h1 is down: its libvirt does not answer",
                                "libvirt.host.h1.uri=test://" + dir.resolve("gone/h1.xml"),
                                "libvirt.host.h2.uri=test://" + h2,
                                "libvirt.xml.dir=" + xmlDir,
                                "libvirt.storage.pool=vols",
                                "libvirt.fence=false",
                                "# the test writes its commands unsigned",
                                "signing.insecure=true",
                                ""));
        try (IpmiSimulator bmc = IpmiSimulator.start(bmcDir, "admin", "s3cret")) {
            Path ipmiConfig =
                    Files.writeString(
                            dir.resolve("ipmi.properties"),
                            String.join(
                                    "\n",
                                    "command.timeout=8s",
                                    "ipmi.power.interval=500ms",
                                    "ipmi.host.b1.address=127.0.0.1",
                                    "ipmi.host.b1.port=" + bmc.port(),
                                    "ipmi.host.b1.user=admin",
                                    "ipmi.host.b1.password=s3cret",
                                    "ipmi.host.b2.address=127.0.0.1",
                                    "ipmi.host.b2.port=" + IpmiSimulator.freeUdpPort(),
                                    "ipmi.host.b2.user=admin",
                                    "ipmi.host.b2.password=s3cret",
                                    "signing.insecure=true",
                                    ""));
            Cli libvirt = new Cli(new WiredActions());
            Cli ipmi = new Cli(new WiredActions());
            CompletableFuture<Integer> libvirtExit = run(libvirt, "libvirt", libvirtConfig);
            CompletableFuture<Integer> ipmiExit = run(ipmi, "ipmi", ipmiConfig);
            try (KafkaConsumer<byte[], byte[]> results = resultsReader()) {
                send(
                        command("map-vm1", Action.MAP_DISKS, "h1")
                                .setTarget("h2")
                                .setVms(List.of("vm1"))
                                .setDisks(List.of("vm1-disk")),
                        command("restart-vm1", Action.RESTART_VM, "h1")
                                .setTarget("h2")
                                .setVm("vm1"),
                        command("fence-b1", Action.FENCE_HOST, "b1"),
                        command("fence-b2", Action.FENCE_HOST, "b2"));

                Map<String, CommandResult> answers = new HashMap<>();
                Map<String, Integer> counts = new HashMap<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (answers.size() < 4 && System.nanoTime() < deadline) {
                    assertThat(libvirtExit).isNotDone();
                    assertThat(ipmiExit).isNotDone();
                    read(results, answers, counts);
                }
                long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < quiet) {
                    read(results, answers, counts);
                }
                assertThat(counts)
                        .containsOnlyKeys("map-vm1", "restart-vm1", "fence-b1", "fence-b2")
                        .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
                assertThat(answers.get("map-vm1").getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
                assertThat(answers.get("restart-vm1").getStatus())
                        .isEqualTo(CommandStatus.SUCCEEDED);
                assertThat(answers.get("restart-vm1").getDetail())
                        .isEqualTo("defined and started on h2");
                assertThat(answers.get("fence-b1").getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
                assertThat(answers.get("fence-b1").getDetail())
                        .isEqualTo("powered off, verified off");
                assertThat(bmc.poweredOn()).isFalse();
                assertThat(answers.get("fence-b2").getStatus()).isEqualTo(CommandStatus.FAILED);
                assertThat(answers.get("fence-b2").getDetail()).contains("BMC of b2");
                // Power readings of the IPMI connector: b1 off once fenced, b2 unknown.
                assertThat(powerReadings())
                        .contains("b1=off", "b2=unknown")
                        .doesNotContain("b2=on", "b2=off");
            } finally {
                libvirt.lifecycle().close();
                ipmi.lifecycle().close();
            }
            assertThat(libvirtExit.get(60, TimeUnit.SECONDS)).isEqualTo(Cli.OK);
            assertThat(ipmiExit.get(60, TimeUnit.SECONDS)).isEqualTo(Cli.OK);
        }
    }

    private static List<String> powerReadings() throws AvroCodec.BadRecordException {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> out = new java.util.ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> parts =
                    c.partitionsFor(Topics.POWER).stream()
                            .map(
                                    i ->
                                            new org.apache.kafka.common.TopicPartition(
                                                    Topics.POWER, i.partition()))
                            .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<org.apache.kafka.common.TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    io.vmres.schema.Power power = (io.vmres.schema.Power) CODEC.decode(r.value());
                    out.add(power.getHost() + "=" + power.getState());
                }
            }
        }
        return out;
    }

    private static boolean libvirtInstalled() {
        try {
            new Connect("test:///default").close();
            return true;
        } catch (Throwable e) {
            return false;
        }
    }

    private static CompletableFuture<Integer> run(Cli cli, String type, Path config) {
        return CompletableFuture.supplyAsync(
                () ->
                        cli.run(
                                "connector",
                                "--type",
                                type,
                                "--config",
                                config.toString(),
                                "--bootstrap",
                                KAFKA.bootstrapServers()));
    }

    private static Command.Builder command(String id, Action action, String host) {
        return Command.newBuilder()
                .setCommandId(id)
                .setIncidentId("inc-hw")
                .setAction(action)
                .setHost(host)
                .setCluster("c1")
                .setAttempt(1)
                .setTs(Instant.now());
    }

    private static void send(Command.Builder... commands) {
        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(KAFKA.bootstrapServers())) {
            for (Command.Builder b : commands) {
                Command c = b.build();
                String key = c.getTarget() != null ? c.getTarget() : c.getHost();
                producer.send(
                        new ProducerRecord<>(
                                Topics.COMMANDS,
                                key.getBytes(StandardCharsets.UTF_8),
                                CODEC.encode(c)));
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> resultsReader() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "hw-test-reader");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(Topics.COMMAND_RESULTS));
        return c;
    }

    private static void read(
            KafkaConsumer<byte[], byte[]> c,
            Map<String, CommandResult> answers,
            Map<String, Integer> counts)
            throws AvroCodec.BadRecordException {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            CommandResult result = (CommandResult) CODEC.decode(r.value());
            answers.put(result.getCommandId(), result);
            counts.merge(result.getCommandId(), 1, Integer::sum);
        }
    }
}
