package io.vmres.deploy.shadow;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.TelemetryPublisher;
import io.vmres.deploy.runtime.CaughtUp;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.engine.Times;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live shadow on real parts: a Kafka broker, the simulated fleet's telemetry, the shadow job on
 * a MiniCluster. A host crashes; the shadow declares it and restarts its VMs on the shadow topics
 * alone (vmres.commands stays empty: no production job runs, so any record there would be the
 * shadow's), and the incumbent's Masakari notifications fed on the incumbent topic give the report
 * its figures: vmres declared first, by the expected lead, and the incumbent's recovery time from
 * the failure to its last evacuation.
 */
@Tag("slow")
class LiveShadowITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void shadowWritesOnlyShadowTopicsAndReportsAgainstMasakari() throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(12)
                        .clusters(1)
                        .hostsPerRack(6)
                        .vmsPerHost(3)
                        .nonHaFraction(0)
                        .seed(11)
                        .build();
        Path config = dir.resolve("shadow.properties");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "bootstrap=" + KAFKA.bootstrapServers(),
                        "incumbent.format=masakari",
                        "report.dir=report",
                        "report.every=1s",
                        "parallelism=1",
                        ""));
        ShadowConfig c = ShadowConfig.read(config, Map.of());
        assertThat(c.incumbentTopic()).isEqualTo("vmres.shadow.incumbent");

        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(KAFKA.bootstrapServers());
                LiveShadow shadow = LiveShadow.start(c);
                TelemetryPublisher telemetry = fleet.telemetry(producer)) {
            telemetry.start();
            await(Duration.ofSeconds(60), () -> Optional.of(telemetry.ticks()).filter(t -> t >= 3));
            // a host the shadow job has seen alive: it first reads what was written while it
            // started, then two more ticks on time
            CaughtUp.await(KAFKA.bootstrapServers(), c.groupId());
            long caughtUpAt = telemetry.ticks();
            await(
                    Duration.ofSeconds(60),
                    () -> Optional.of(telemetry.ticks()).filter(t -> t >= caughtUpAt + 2));
            FleetHost victim =
                    fleet.hosts().stream()
                            .filter(h -> !h.spare() && h.bmc() && !fleet.vmsOn(h.host()).isEmpty())
                            .findFirst()
                            .orElseThrow();
            List<String> vms = fleet.vmsOn(victim.host()).stream().map(FleetVm::vm).toList();
            long crashAt = fleet.clock().millis();
            fleet.crash(victim.host());

            // the incumbent: the host down a minute after the crash, all but one VM evacuated two
            // minutes after it, the last one failed
            long downAt = crashAt + 60_000;
            long evacuatedAt = crashAt + 120_000;
            List<String> evacuated = vms.subList(0, vms.size() - 1);
            String failed = vms.get(vms.size() - 1);
            producer.send(
                    new ProducerRecord<>(
                            c.incumbentTopic(),
                            masakari(victim.host(), downAt, evacuatedAt, evacuated, failed)));
            producer.send(
                    new ProducerRecord<>(
                            c.incumbentTopic(), "not json".getBytes(StandardCharsets.UTF_8)));
            producer.flush();

            ShadowReport.Incident incident = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
            while (incident == null && System.nanoTime() < deadline) {
                incident =
                        update(shadow).incidents().stream()
                                .filter(i -> i.hosts().contains(victim.host()))
                                .filter(i -> i.vmresRecoveryS() != null)
                                .filter(i -> i.vms().stream().allMatch(v -> v.vmresUp() != null))
                                .findFirst()
                                .orElse(null);
                Thread.onSpinWait();
                java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
            }
            assertThat(incident)
                    .as(
                            "the victim's incident, recovered; report %s; status %s; recorded %d"
                                    + " bytes; %d beats, %d inventory, %d shadow fleet-state,"
                                    + " %d shadow dead letters",
                            JSON.writeValueAsString(shadow.report()),
                            shadow.status(),
                            Files.size(dir.resolve("report/inputs.jsonl")),
                            records(Topics.HEARTBEAT).size(),
                            records(Topics.INVENTORY).size(),
                            records(c.shadowTopic(Topics.FLEET_STATE)).size(),
                            records(c.shadowTopic(Topics.DEAD_LETTER)).size())
                    .isNotNull();

            // (b) the figures from the incumbent's notifications
            ShadowReport.HostFigure h = incident.declarations().get(0);
            assertThat(h.host()).isEqualTo(victim.host());
            assertThat(h.first()).isEqualTo("vmres");
            assertThat(h.incumbentDeclared()).isEqualTo(downAt);
            assertThat(h.leadS()).isEqualTo((downAt - h.vmresDeclared()) / 1000.0);
            assertThat(h.vmresDeclared() - crashAt).isBetween(8_000L, 16_000L);
            assertThat(h.incumbentFalseAlarm()).isFalse();
            assertThat(h.vmresFalseAlarm()).isFalse();
            assertThat(incident.failureStart()).isBetween(crashAt - 2_000, crashAt);
            assertThat(incident.incumbentRecoveryS())
                    .isEqualTo((evacuatedAt - incident.failureStart()) / 1000.0);
            assertThat(incident.incumbentRecoveryS()).isCloseTo(120.0, within(2.0));
            assertThat(incident.vmresRecoveryS()).isPositive().isLessThan(60.0);
            assertThat(incident.notBroughtBackByIncumbent()).containsExactly(failed);
            assertThat(incident.notBroughtBackByVmres()).isEmpty();
            assertThat(incident.vms())
                    .extracting(ShadowReport.VmFigure::vm)
                    .containsExactlyInAnyOrderElementsOf(vms);
            assertThat(shadow.report().skippedLines()).hasSize(1);
            assertThat(shadow.status()).contains("declared first by vmres 1");

            // (a) the restarts are on the shadow commands topic, the production one is empty
            List<Command> shadowCommands = commands(c.shadowTopic(Topics.COMMANDS));
            assertThat(shadowCommands)
                    .filteredOn(x -> x.getAction() == Action.RESTART_VM)
                    .extracting(Command::getVm)
                    .containsExactlyInAnyOrderElementsOf(vms);
            assertThat(records(Topics.COMMANDS)).isEmpty();
            assertThat(records(Topics.COMMAND_RESULTS)).isEmpty();
            assertThat(records(Topics.INCIDENTS)).isEmpty();
        }
        // at stop, the report is written once more
        Path report = dir.resolve("report");
        assertThat(report.resolve("shadow-report.json")).exists();
        assertThat(Files.readString(report.resolve("shadow-report.md"))).contains("masakari");
        assertThat(records(Topics.COMMANDS)).isEmpty();
    }

    private static ShadowReport.Report update(LiveShadow shadow) {
        try {
            ShadowReport.Report r = shadow.update();
            return r == null ? new ShadowReport.Report("", List.of(), List.of()) : r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] masakari(
            String host, long downAt, long evacuatedAt, List<String> evacuated, String failed)
            throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("notification_uuid", "0b3e64c5-6a7e-4f7e-9a0c-2f6a1c1f0a01");
        n.put("hostname", host);
        n.put("type", "COMPUTE_HOST");
        n.put("generated_time", Times.format(downAt));
        n.put("status", "finished");
        n.putObject("payload").put("event", "STOPPED").put("host_status", "NORMAL");
        var task = n.putArray("recovery_workflow_details").addObject();
        task.put("name", "EvacuateInstancesTask");
        task.put("state", "SUCCESS");
        var progress = task.putArray("progress_details");
        progress.addObject()
                .put("timestamp", Times.format(evacuatedAt))
                .put(
                        "message",
                        "Successfully evacuate instances '"
                                + String.join(",", evacuated)
                                + "' from host '"
                                + host
                                + "'");
        progress.addObject()
                .put("timestamp", Times.format(evacuatedAt + 5_000))
                .put(
                        "message",
                        "Failed to evacuate instances '" + failed + "' from host '" + host + "'");
        return JSON.writeValueAsBytes(n);
    }

    private static List<Command> commands(String topic) throws Exception {
        AvroCodec codec = new AvroCodec();
        List<Command> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records(topic)) {
            out.add((Command) codec.decode(r.value()));
        }
        return out;
    }

    /** Every record of a topic, committed or not: nothing at all must reach a production topic. */
    private static List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        Map<String, Object> conf = new HashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        conf, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts =
                    consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
