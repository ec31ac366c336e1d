package io.vmres.deploy.runtime;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.Ledger;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.dashboard.RecoveryTime;
import io.vmres.engine.Times;
import io.vmres.schema.Action;
import io.vmres.schema.Command;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole loop on real parts: a Kafka broker, the job on a MiniCluster, the simulated fleet and
 * its connector. Bad records on every input topic become dead letters; a crashed host is declared
 * failed 10 to 13 s after its last heartbeat and every HA VM of it is restarted exactly once, on a
 * host with room.
 */
@Tag("slow")
class LiveRecoveryITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void crashedHostIsDeclaredFailedAndItsVmsRestartOnceEach() throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(24)
                        .clusters(1)
                        .hostsPerRack(8)
                        .vmsPerHost(6)
                        .seed(7)
                        .build();
        SimulatedHypervisor hypervisor =
                SimulatedHypervisor.builder(fleet)
                        .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(200)))
                        .latency(
                                Action.RESTART_VM,
                                Latency.of(Duration.ofSeconds(1), Duration.ofMillis(500)))
                        .seed(7)
                        .build();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet)
                                .kafka(KAFKA.kafka())
                                .hypervisor(hypervisor)
                                .start();
                DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {})) {

            // Bad input on every input topic: each becomes a dead letter with its reason.
            try (Producer<byte[], byte[]> producer =
                    LiveRuntime.producer(KAFKA.bootstrapServers())) {
                for (String topic : Topics.INPUTS) {
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    "junk".getBytes(StandardCharsets.UTF_8),
                                    ("not avro on " + topic).getBytes(StandardCharsets.UTF_8)));
                }
            }
            // the junk records' dead letters, from the decoder (source TOPIC/PARTITION); a
            // heartbeat read before its host's first record may add one of the routing's
            List<DeadLetter> deadLetters =
                    await(
                            Duration.ofSeconds(60),
                            () ->
                                    Optional.of(decoded(log.deadLetters()))
                                            .filter(d -> d.size() >= Topics.INPUTS.size()));
            assertThat(deadLetters)
                    .extracting(d -> d.getSource().substring(0, d.getSource().indexOf('/')))
                    .containsExactlyInAnyOrderElementsOf(Topics.INPUTS);
            assertThat(deadLetters).allSatisfy(d -> assertThat(d.getReason()).contains("marker"));

            LiveRuns.awaitTelemetry(runtime);
            // The victim must be a host the job has seen alive: a host whose every heartbeat was
            // read before its record is registered but was never alive, and the spec declares no
            // failure of it. So the job first catches up with what the fleet wrote while it
            // started, and then reads two more ticks on time.
            CaughtUp.await(KAFKA.bootstrapServers(), "vmres-job");
            long caughtUpAt = runtime.telemetry().ticks();
            await(
                    Duration.ofSeconds(60),
                    () ->
                            Optional.of(runtime.telemetry().ticks())
                                    .filter(t -> t >= caughtUpAt + 2));
            FleetHost victim =
                    fleet.hosts().stream()
                            .filter(h -> !h.spare() && h.bmc())
                            .findFirst()
                            .orElseThrow();
            List<FleetVm> onVictim = fleet.vmsOn(victim.host());
            Set<String> ha =
                    onVictim.stream()
                            .filter(FleetVm::ha)
                            .map(FleetVm::vm)
                            .collect(Collectors.toSet());
            assertThat(ha).isNotEmpty();
            fleet.crash(victim.host());

            Incident recovered =
                    LiveRuns.awaitRecovered(
                            log,
                            victim.host(),
                            Duration.ofSeconds(120),
                            () -> seen(log, victim.host()));
            Incident opened =
                    log.incidents().stream()
                            .filter(i -> i.getIncidentId().equals(recovered.getIncidentId()))
                            .filter(i -> i.getState().name().equals("OPEN"))
                            .findFirst()
                            .orElseThrow();
            assertThat(opened.getKind().name()).isEqualTo("HOST_FAILURE");
            assertThat(opened.getHosts()).containsExactly(victim.host());

            JsonNode evidence = JSON.readTree(opened.getEvidenceJson());
            long lastBeat =
                    Times.parse(evidence.path("lastHeartbeat").path(victim.host()).asText());
            long detectionMs = opened.getTs().toEpochMilli() - lastBeat;
            assertThat(detectionMs)
                    .as("declared after the last heartbeat (ms)")
                    .isBetween(10_000L, 13_000L);

            List<Command> restarts =
                    log.commands().stream()
                            .filter(c -> c.getIncidentId().equals(opened.getIncidentId()))
                            .filter(c -> c.getAction() == Action.RESTART_VM)
                            .toList();
            assertThat(restarts)
                    .as("restarts; alerts %s; incidents %s", log.alerts(), log.incidents())
                    .extracting(Command::getVm)
                    .containsExactlyInAnyOrderElementsOf(ha);

            Ledger ledger = fleet.ledger();
            Map<String, Long> restartsPerVm =
                    ledger.entries().stream()
                            .filter(
                                    e ->
                                            e.action() == Action.RESTART_VM
                                                    && e.status() == Outcome.Status.SUCCEEDED)
                            .collect(
                                    Collectors.groupingBy(Ledger.Entry::vm, Collectors.counting()));
            assertThat(restartsPerVm).containsOnlyKeys(ha);
            assertThat(restartsPerVm.values()).allMatch(n -> n == 1L);
            assertThat(ledger.repeatedCommands()).isEmpty();

            for (Command c : restarts) {
                FleetHost target = fleet.host(c.getTarget()).orElseThrow();
                assertThat(target.host()).isNotEqualTo(victim.host());
                SimulatedFleet.Usage used = fleet.used(target.host());
                assertThat(used.cpu())
                        .as("cpu of %s", target.host())
                        .isLessThanOrEqualTo(target.cpu());
                assertThat(used.memMb())
                        .as("memory of %s", target.host())
                        .isLessThanOrEqualTo(target.memMb());
            }
            // the RECOVERED line carries the figures of every restart, though the inventory told
            // of each new placement before the connector's result
            JsonNode figures = JSON.readTree(recovered.getFiguresJson());
            assertThat(figures.path("vmsRecovered").asInt()).as("%s", figures).isEqualTo(ha.size());
            assertThat(RecoveryTime.seconds(recovered))
                    .as("%s", figures)
                    .isNotNull()
                    .isGreaterThan(detectionMs / 1000.0);
            assertThat(runtime.job().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        }
    }

    /** What the decision log holds, for a failure to tell its cause. */
    private static String seen(DecisionLog log, String victim) {
        return "victim "
                + victim
                + "\nincidents "
                + log.incidents()
                + "\nalerts "
                + log.alerts()
                + "\ndead letters "
                + log.deadLetters()
                + "\ncommands "
                + log.commands()
                + "\nresults "
                + log.results();
    }

    /** The dead letters of the decoder: their source names a topic and a partition. */
    private static List<DeadLetter> decoded(List<DeadLetter> all) {
        return all.stream().filter(d -> d.getSource().contains("/")).toList();
    }
}
