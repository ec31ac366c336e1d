package io.vmres.deploy.runtime;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.Ledger;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.schema.Action;
import io.vmres.schema.Command;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job takes a failback: a crashed host's VMs restarted elsewhere, the host repaired and its VMs
 * moved back to it by the fleet; when it crashes again, the job restarts the very same HA VMs, each
 * once, as its fleet view followed the inventory's moves. No VM ever runs twice.
 */
@Tag("slow")
class FailbackLiveITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void aHostFailedBackAndCrashedAgainHasItsVmsRestartedAgain() throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(24)
                        .clusters(1)
                        .hostsPerRack(8)
                        .vmsPerHost(5)
                        .nonHaFraction(0.2)
                        .seed(7)
                        .build();
        SimulatedHypervisor hypervisor =
                SimulatedHypervisor.builder(fleet)
                        .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(200)))
                        .latency(Action.RESTART_VM, Latency.fixed(Duration.ofMillis(500)))
                        .seed(7)
                        .build();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet)
                                .kafka(KAFKA.kafka())
                                .hypervisor(hypervisor)
                                .start();
                DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {})) {
            LiveRuns.awaitTelemetry(runtime);
            // the victim must be a host the job has seen alive
            CaughtUp.await(KAFKA.bootstrapServers(), "vmres-job");
            ticks(runtime, 2);
            FleetHost victim =
                    fleet.hosts().stream()
                            .filter(h -> !h.spare() && h.bmc())
                            .filter(h -> fleet.vmsOn(h.host()).stream().anyMatch(v -> !v.ha()))
                            .filter(h -> fleet.vmsOn(h.host()).stream().anyMatch(FleetVm::ha))
                            .findFirst()
                            .orElseThrow();
            List<FleetVm> home = fleet.vmsOn(victim.host());
            Set<String> ha =
                    home.stream().filter(FleetVm::ha).map(FleetVm::vm).collect(Collectors.toSet());

            fleet.crash(victim.host());
            Incident first = recovered(log, victim.host(), id -> true);
            assertThat(restartedBy(log, first)).containsExactlyInAnyOrderElementsOf(ha);
            assertThat(fleet.vmsOn(victim.host())).noneMatch(FleetVm::ha);

            fleet.repair(victim.host());
            ticks(runtime, 2); // it beats again: the job lets it rejoin, empty
            SimulatedFleet.Failback back = fleet.failback(victim.host());
            assertThat(back.moved()).containsExactlyInAnyOrderElementsOf(ha);
            assertThat(back.left()).isEmpty();
            assertThat(fleet.vmsOn(victim.host()))
                    .extracting(FleetVm::vm)
                    .containsExactlyInAnyOrderElementsOf(home.stream().map(FleetVm::vm).toList());
            CaughtUp.await(KAFKA.bootstrapServers(), "vmres-job");
            ticks(runtime, 2);

            fleet.crash(victim.host());
            Incident second =
                    recovered(log, victim.host(), id -> !id.equals(first.getIncidentId()));

            // the job knew the VMs were back: it restarts each of them again, none other
            assertThat(restartedBy(log, second)).containsExactlyInAnyOrderElementsOf(ha);
            Ledger ledger = fleet.ledger();
            Map<String, Long> restarts =
                    ledger.entries().stream()
                            .filter(
                                    e ->
                                            e.action() == Action.RESTART_VM
                                                    && e.status() == Outcome.Status.SUCCEEDED)
                            .collect(
                                    Collectors.groupingBy(Ledger.Entry::vm, Collectors.counting()));
            assertThat(restarts).containsOnlyKeys(ha);
            assertThat(restarts.values()).as("once in each incident").allMatch(n -> n == 2L);
            assertThat(ledger.repeatedCommands()).isEmpty();
            assertThat(ledger.vmsOnTwoHostsAtOnce()).isZero();
            for (FleetVm v : home) {
                assertThat(ledger.hostsRunning(v.vm()))
                        .as("%s runs on one host", v.vm())
                        .hasSize(v.ha() ? 1 : 0);
            }
        }
    }

    private static void ticks(LiveRuntime runtime, int n) throws InterruptedException {
        long from = runtime.telemetry().ticks();
        await(
                Duration.ofSeconds(60),
                () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= from + n));
    }

    private static Incident recovered(DecisionLog log, String host, Predicate<String> id)
            throws InterruptedException {
        return await(
                Duration.ofSeconds(120),
                () ->
                        log.incidents().stream()
                                .filter(i -> i.getHosts().contains(host))
                                .filter(i -> id.test(i.getIncidentId()))
                                .filter(i -> i.getState() == IncidentState.RECOVERED)
                                .findFirst(),
                () -> "incidents " + log.incidents() + "\nalerts " + log.alerts());
    }

    private static List<String> restartedBy(DecisionLog log, Incident incident) {
        return log.commands().stream()
                .filter(c -> c.getIncidentId().equals(incident.getIncidentId()))
                .filter(c -> c.getAction() == Action.RESTART_VM)
                .map(Command::getVm)
                .distinct()
                .toList();
    }
}
