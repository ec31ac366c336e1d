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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A host crash whose recovery is interrupted once its first restarts are out, on the test's
 * MiniCluster: after the recovery, no command reached the connector twice and every HA VM of the
 * host was restarted exactly once (the simulated fleet's ledger is the ground truth).
 */
final class InterruptedRecovery {
    /** What happens to the job in the middle of the recovery, or what is checked after it. */
    interface Step {
        void run(LiveRuntime runtime, DecisionLog log) throws Exception;
    }

    private InterruptedRecovery() {}

    static void run(EmbeddedKafka kafka, long seed, Step interruption, Step afterRecovery)
            throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(24)
                        .clusters(1)
                        .hostsPerRack(8)
                        .vmsPerHost(8)
                        .seed(seed)
                        .build();
        SimulatedHypervisor hypervisor =
                SimulatedHypervisor.builder(fleet)
                        .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(300)))
                        .latency(
                                Action.RESTART_VM,
                                Latency.of(Duration.ofSeconds(3), Duration.ofSeconds(1)))
                        .seed(seed)
                        .build();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet)
                                .kafka(kafka)
                                .hypervisor(hypervisor)
                                .environment(StreamExecutionEnvironment.getExecutionEnvironment())
                                .parallelism(2)
                                .start();
                DecisionLog log = new DecisionLog(kafka.bootstrapServers(), r -> {})) {
            await(
                    Duration.ofSeconds(60),
                    () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= 3));
            FleetHost victim =
                    fleet.hosts().stream()
                            .filter(h -> !h.spare() && h.bmc())
                            .findFirst()
                            .orElseThrow();
            Set<String> ha =
                    fleet.vmsOn(victim.host()).stream()
                            .filter(FleetVm::ha)
                            .map(FleetVm::vm)
                            .collect(Collectors.toSet());
            fleet.crash(victim.host());

            // the recovery has begun: some restarts are out, the rest still to come
            await(
                    Duration.ofSeconds(90),
                    () ->
                            log.commands().stream()
                                    .filter(c -> c.getAction() == Action.RESTART_VM)
                                    .findFirst());
            interruption.run(runtime, log);

            Incident recovered =
                    await(
                            Duration.ofSeconds(150),
                            () ->
                                    log.incidents().stream()
                                            .filter(i -> i.getHosts().contains(victim.host()))
                                            .filter(i -> i.getState().name().equals("RECOVERED"))
                                            .findFirst());
            afterRecovery.run(runtime, log);

            List<Command> commands = log.commands();
            assertThat(commands.stream().map(Command::getCommandId).distinct().count())
                    .as("no command id reached the commands topic twice")
                    .isEqualTo(commands.size());
            assertThat(commands)
                    .filteredOn(c -> c.getIncidentId().equals(recovered.getIncidentId()))
                    .filteredOn(c -> c.getAction() == Action.RESTART_VM)
                    .extracting(Command::getVm)
                    .containsExactlyInAnyOrderElementsOf(ha);

            Ledger ledger = fleet.ledger();
            assertThat(ledger.repeatedCommands()).as("commands run twice").isEmpty();
            Map<String, Long> restarts =
                    ledger.entries().stream()
                            .filter(
                                    e ->
                                            e.action() == Action.RESTART_VM
                                                    && e.status() == Outcome.Status.SUCCEEDED)
                            .collect(
                                    Collectors.groupingBy(Ledger.Entry::vm, Collectors.counting()));
            assertThat(restarts).containsOnlyKeys(ha);
            assertThat(restarts.values()).allMatch(n -> n == 1L);
        }
    }
}
