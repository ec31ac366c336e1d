package io.vmres.deploy;

import static io.vmres.deploy.LiveRecoveryITCase.await;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job is stopped with a savepoint in the middle of a recovery and a new job starts from it,
 * as an upgrade would: the recovery completes, no command reaches the connector twice, and every
 * VM is restarted exactly once.
 */
@Tag("slow")
class SavepointRestartITCase {
  @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  @Test
  void recoveryGoesOnAcrossAStopAndAStartFromASavepoint(@TempDir Path savepoints) throws Exception {
    SimulatedFleet fleet =
        SimulatedFleet.builder().hosts(24).clusters(1).hostsPerRack(8).vmsPerHost(8).seed(13).build();
    SimulatedHypervisor hypervisor =
        SimulatedHypervisor.builder(fleet)
            .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(300)))
            .latency(Action.RESTART_VM, Latency.of(Duration.ofSeconds(3), Duration.ofSeconds(1)))
            .seed(13)
            .build();
    try (LiveRuntime runtime =
            LiveRuntime.builder(fleet)
                .kafka(KAFKA.kafka())
                .hypervisor(hypervisor)
                .environment(StreamExecutionEnvironment.getExecutionEnvironment())
                .parallelism(2)
                .start();
        DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {})) {
      await(Duration.ofSeconds(60), () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= 3));
      FleetHost victim =
          fleet.hosts().stream().filter(h -> !h.spare() && h.bmc()).findFirst().orElseThrow();
      Set<String> ha =
          fleet.vmsOn(victim.host()).stream().filter(FleetVm::ha).map(FleetVm::vm).collect(Collectors.toSet());
      fleet.crash(victim.host());

      await(
          Duration.ofSeconds(90),
          () ->
              log.commands().stream().filter(c -> c.getAction() == Action.RESTART_VM).findFirst());
      String savepoint = runtime.restartJobFromSavepoint(savepoints);
      assertThat(savepoint).contains(savepoints.getFileName().toString());

      Incident recovered =
          await(
              Duration.ofSeconds(150),
              () ->
                  log.incidents().stream()
                      .filter(i -> i.getHosts().contains(victim.host()))
                      .filter(i -> i.getState().name().equals("RECOVERED"))
                      .findFirst());

      List<Command> commands = log.commands();
      assertThat(commands.stream().map(Command::getCommandId).distinct().count())
          .as("no command id reached the commands topic twice")
          .isEqualTo(commands.size());
      assertThat(commands)
          .filteredOn(c -> c.getIncidentId().equals(recovered.getIncidentId()))
          .filteredOn(c -> c.getAction() == Action.RESTART_VM)
          .extracting(Command::getVm)
          .containsExactlyInAnyOrderElementsOf(ha);
      // one incident for the one crash: the new job carried the old one's state on
      assertThat(log.incidents().stream().map(Incident::getIncidentId).distinct()).hasSize(1);

      Ledger ledger = fleet.ledger();
      assertThat(ledger.repeatedCommands()).as("commands run twice").isEmpty();
      Map<String, Long> restarts =
          ledger.entries().stream()
              .filter(e -> e.action() == Action.RESTART_VM && e.status() == Outcome.Status.SUCCEEDED)
              .collect(Collectors.groupingBy(Ledger.Entry::vm, Collectors.counting()));
      assertThat(restarts).containsOnlyKeys(ha);
      assertThat(restarts.values()).allMatch(n -> n == 1L);
    }
  }
}
