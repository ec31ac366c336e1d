package io.vmres.deploy.commands;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.power.RedfishPduSimulator;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.Ledger;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.runtime.DecisionLog;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.schema.Action;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentKind;
import io.vmres.schema.IncidentState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power proof end to end: racks of the simulated fleet lose power with their BMCs, so that every
 * fence fails; only their PDUs, Redfish services in a process of their own read by {@code vmres
 * connector --type pdu}, can tell. Rack A's PDU reads on: its fences fail and no VM of it is ever
 * mapped or restarted. Rack B's PDU reads off: its VMs are restarted through Kafka, the job on a
 * MiniCluster and the fleet's connector, without a fence, each exactly once.
 */
@Tag("slow")
class PowerDomainITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    @Test
    void aRackWhosePduReadsOffIsRecoveredWithoutAFenceAndNoneWhileItReadsOn() throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(24)
                        .clusters(1)
                        .hostsPerRack(4)
                        .racksPerPowerDomain(1)
                        .vmsPerHost(3)
                        .seed(11)
                        .build();
        SimulatedHypervisor hypervisor =
                SimulatedHypervisor.builder(fleet)
                        .latency(Action.FENCE_HOST, Latency.fixed(Duration.ofMillis(200)))
                        .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(200)))
                        .latency(Action.RESTART_VM, Latency.fixed(Duration.ofMillis(300)))
                        .seed(11)
                        .build();
        // Two racks of hosts with HA VMs on them: A waits for its PDU, B's PDU reads off at once.
        List<String> racks =
                fleet.hosts().stream()
                        .filter(h -> !h.spare())
                        .map(FleetHost::rack)
                        .distinct()
                        .limit(2)
                        .toList();
        String rackA = racks.get(0);
        String rackB = racks.get(1);
        String domainA = domainOf(fleet, rackA);
        String domainB = domainOf(fleet, rackB);
        assertThat(domainA).isNotEqualTo(domainB);
        Set<String> hostsA = hostsOf(fleet, rackA);
        Set<String> hostsB = hostsOf(fleet, rackB);
        Set<String> haA = haVmsOn(fleet, hostsA);
        Set<String> haB = haVmsOn(fleet, hostsB);
        assertThat(haA).isNotEmpty();
        assertThat(haB).isNotEmpty();

        Files.writeString(dir.resolve("redfish.password"), "s3cret\n");
        Path config =
                Files.writeString(
                        dir.resolve("pdu.properties"),
                        String.join(
                                "\n",
                                "pdu.interval=500ms",
                                "pdu.timeout=500ms",
                                "metrics.interval=5s",
                                "pdu.source.pdu-a.type=redfish",
                                "pdu.source.pdu-a.url=%A",
                                "pdu.source.pdu-a.user=admin",
                                "pdu.source.pdu-a.password.file=" + dir.resolve("redfish.password"),
                                "pdu.source.pdu-b.type=redfish",
                                "pdu.source.pdu-b.url=%B",
                                "pdu.source.pdu-b.user=admin",
                                "pdu.source.pdu-b.password.file=" + dir.resolve("redfish.password"),
                                "pdu.domain." + domainA + ".feeds=pdu-a",
                                "pdu.domain." + domainB + ".feeds=pdu-b",
                                ""));

        try (RedfishPduSimulator pdus =
                        RedfishPduSimulator.start(dir, "admin", "s3cret", 4, "a", "b");
                LiveRuntime runtime =
                        LiveRuntime.builder(fleet)
                                .kafka(KAFKA.kafka())
                                .hypervisor(hypervisor)
                                .start();
                DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {})) {
            Files.writeString(
                    config,
                    Files.readString(config)
                            .replace("%A", pdus.url("a"))
                            .replace("%B", pdus.url("b")));
            Cli pduConnector = new Cli(new WiredActions());
            CompletableFuture<Integer> exit =
                    CompletableFuture.supplyAsync(
                            () ->
                                    pduConnector.run(
                                            "connector",
                                            "--type",
                                            "pdu",
                                            "--config",
                                            config.toString(),
                                            "--bootstrap",
                                            KAFKA.bootstrapServers()));
            try {
                await(
                        Duration.ofSeconds(60),
                        () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= 3));

                // Rack A goes dark with its BMCs; its PDU still reads on.
                fleet.rackBlackout(rackA);
                Incident openA = awaitIncident(log, hostsA, IncidentState.OPEN);
                assertThat(openA.getKind()).isEqualTo(IncidentKind.HOST_FAILURE);
                // Every fence of rack A is tried and fails: the BMCs have no power.
                await(
                        Duration.ofSeconds(60),
                        () ->
                                Optional.of(failedFences(log, hostsA))
                                        .filter(f -> f.containsAll(hostsA)));

                // Rack B goes dark too, and its PDU reads off.
                fleet.rackBlackout(rackB);
                pdus.set("b", "off");
                Incident recoveredB = awaitIncident(log, hostsB, IncidentState.RECOVERED);
                JsonNode evidenceB = JSON.readTree(recoveredB.getEvidenceJson());
                for (String h : hostsB) {
                    assertThat(evidenceB.path("powerDomainOff").path(h).asText())
                            .as("evidence.powerDomainOff of %s", h)
                            .isEqualTo(domainB);
                }
                assertThat(commandsFor(log, Action.FENCE_HOST, hostsB))
                        .as("fences of rack B")
                        .isEmpty();
                assertThat(restartedVms(log, hostsB)).isEqualTo(haB);

                // All this while, rack A waited: its PDU reads on, its fences failed, and no
                // VM of it was mapped or restarted; the incident never recovered.
                assertThat(commandsFor(log, Action.MAP_DISKS, hostsA))
                        .as("maps of rack A")
                        .isEmpty();
                assertThat(restartedVms(log, hostsA)).as("restarts of rack A").isEmpty();
                assertThat(incidentLines(log, openA.getIncidentId()))
                        .extracting(Incident::getState)
                        .doesNotContain(IncidentState.RECOVERED);
                assertThat(
                                log.results().stream()
                                        .filter(r -> r.getStatus() == CommandStatus.SUCCEEDED)
                                        .map(CommandResult::getCommandId)
                                        .filter(
                                                commandsFor(log, Action.FENCE_HOST, hostsA)
                                                        ::contains))
                        .as("fences of rack A that succeeded")
                        .isEmpty();

                Ledger ledger = fleet.ledger();
                Map<String, Long> restartsPerVm =
                        ledger.entries().stream()
                                .filter(
                                        e ->
                                                e.action() == Action.RESTART_VM
                                                        && e.status() == Outcome.Status.SUCCEEDED)
                                .collect(
                                        Collectors.groupingBy(
                                                Ledger.Entry::vm, Collectors.counting()));
                assertThat(restartsPerVm.keySet()).containsExactlyInAnyOrderElementsOf(haB);
                assertThat(restartsPerVm.values()).allMatch(n -> n == 1L);
                assertThat(ledger.vmsOnTwoHostsAtOnce()).isZero();
            } finally {
                pduConnector.lifecycle().close();
            }
            assertThat(exit.get(60, TimeUnit.SECONDS)).isEqualTo(Cli.OK);
        }
    }

    private static String domainOf(SimulatedFleet fleet, String rack) {
        return fleet.hosts().stream()
                .filter(h -> h.rack().equals(rack))
                .map(FleetHost::powerDomain)
                .distinct()
                .reduce((a, b) -> a + "," + b)
                .orElseThrow();
    }

    private static Set<String> hostsOf(SimulatedFleet fleet, String rack) {
        return fleet.hosts().stream()
                .filter(h -> h.rack().equals(rack))
                .map(FleetHost::host)
                .collect(Collectors.toSet());
    }

    private static Set<String> haVmsOn(SimulatedFleet fleet, Set<String> hosts) {
        return hosts.stream()
                .flatMap(h -> fleet.vmsOn(h).stream())
                .filter(FleetVm::ha)
                .map(FleetVm::vm)
                .collect(Collectors.toSet());
    }

    private static Incident awaitIncident(DecisionLog log, Set<String> hosts, IncidentState state)
            throws InterruptedException {
        return await(
                Duration.ofSeconds(120),
                () ->
                        log.incidents().stream()
                                .filter(i -> i.getState() == state)
                                .filter(i -> i.getHosts().containsAll(hosts))
                                .findFirst());
    }

    private static List<Incident> incidentLines(DecisionLog log, String id) {
        return log.incidents().stream().filter(i -> i.getIncidentId().equals(id)).toList();
    }

    private static Set<String> commandsFor(DecisionLog log, Action action, Set<String> hosts) {
        return log.commands().stream()
                .filter(c -> c.getAction() == action && hosts.contains(c.getHost()))
                .map(Command::getCommandId)
                .collect(Collectors.toSet());
    }

    /** The hosts of {@code hosts} with a fence answered FAILED. */
    private static Set<String> failedFences(DecisionLog log, Set<String> hosts) {
        Map<String, String> fenceHost =
                log.commands().stream()
                        .filter(c -> c.getAction() == Action.FENCE_HOST)
                        .filter(c -> hosts.contains(c.getHost()))
                        .collect(
                                Collectors.toMap(
                                        Command::getCommandId, Command::getHost, (a, b) -> a));
        return log.results().stream()
                .filter(r -> r.getStatus() == CommandStatus.FAILED)
                .map(r -> fenceHost.get(r.getCommandId()))
                .filter(h -> h != null)
                .collect(Collectors.toSet());
    }

    /** The VMs restarted (a RESTART_VM issued) whose source is one of {@code hosts}. */
    private static Set<String> restartedVms(DecisionLog log, Set<String> hosts) {
        return log.commands().stream()
                .filter(c -> c.getAction() == Action.RESTART_VM && hosts.contains(c.getHost()))
                .map(Command::getVm)
                .collect(Collectors.toSet());
    }
}
