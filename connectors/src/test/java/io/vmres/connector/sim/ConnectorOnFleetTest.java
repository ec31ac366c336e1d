package io.vmres.connector.sim;

import static io.vmres.connector.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.connector.testing.PacedMockConsumer;
import io.vmres.connector.testing.TopicRecords;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Topics;
import io.vmres.schema.Vm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector service running a host's recovery against the simulated fleet, on mock clients. */
class ConnectorOnFleetTest {
    private static final AvroCodec CODEC = new AvroCodec();
    private static final TopicPartition TP = new TopicPartition(Topics.COMMANDS, 0);

    private final PacedMockConsumer consumer = new PacedMockConsumer();
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private long offset;
    private ConnectorService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aHungHostIsFencedAndItsVmsRestartExactlyOnceDespiteRedeliveries() {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(10)
                        .vmsPerHost(4)
                        .clusters(1)
                        .sparesPerCluster(2)
                        .seed(11)
                        .build();
        fleet.telemetry(producer);
        SimulatedHypervisor hv =
                SimulatedHypervisor.builder(fleet)
                        .noLatency()
                        .latency(Action.RESTART_VM, Latency.fixed(Duration.ofMillis(20)))
                        .build();
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        service =
                new ConnectorService(
                                consumer,
                                producer,
                                hv,
                                ConnectorOptions.builder().maxInFlightPerTarget(2).build())
                        .start();
        await("assigned", () -> consumer.assignment().contains(TP));

        String failed = "h01";
        List<FleetVm> vms = fleet.vmsOn(failed);
        assertThat(vms).hasSizeGreaterThan(2);
        fleet.hang(failed);

        deliver(command("f1", Action.FENCE_HOST, failed, null, null, List.of(), List.of()));
        await("fenced", () -> hv.ledger().size() == 1);
        // Half the VMs to each spare: one map per target, then the restarts.
        List<String> targets = List.of("h09", "h10");
        List<String> restarts = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            List<String> names = new ArrayList<>();
            List<String> disks = new ArrayList<>();
            for (int i = t; i < vms.size(); i += 2) {
                names.add(vms.get(i).vm());
                disks.addAll(vms.get(i).disks());
            }
            deliver(command("m" + t, Action.MAP_DISKS, failed, targets.get(t), null, names, disks));
        }
        await("mapped", () -> hv.ledger().size() == 3);
        for (int i = 0; i < vms.size(); i++) {
            String id = "r" + i;
            restarts.add(id);
            deliver(
                    command(
                            id,
                            Action.RESTART_VM,
                            failed,
                            targets.get(i % 2),
                            vms.get(i).vm(),
                            List.of(),
                            List.of()));
        }
        // The job's sink retried: the first restart and the fence come again.
        deliver(
                command(
                        "r0",
                        Action.RESTART_VM,
                        failed,
                        targets.get(0),
                        vms.get(0).vm(),
                        List.of(),
                        List.of()));
        deliver(command("f1", Action.FENCE_HOST, failed, null, null, List.of(), List.of()));

        int deliveries = 3 + vms.size() + 2;
        await("every delivery answered", () -> results().size() == deliveries);
        assertThat(results()).allMatch(r -> r.getStatus() == CommandStatus.SUCCEEDED);
        assertThat(hv.ledger().repeatedCommands()).isEmpty();
        assertThat(hv.ledger().size()).isEqualTo(3 + vms.size());
        for (int i = 0; i < vms.size(); i++) {
            assertThat(fleet.vm(vms.get(i).vm()).get().host()).isEqualTo(targets.get(i % 2));
        }
        assertThat(fleet.vmsOn(failed)).isEmpty();
        List<Vm> moves = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.topic().equals(Topics.INVENTORY)) {
                moves.add((Vm) decode(r.value()));
            }
        }
        assertThat(moves)
                .extracting(Vm::getVm)
                .containsExactlyInAnyOrderElementsOf(vms.stream().map(FleetVm::vm).toList());
        assertThat(service.counters().duplicates()).isEqualTo(2);
        await("all committed", () -> Long.valueOf(deliveries).equals(consumer.lastCommitted(TP)));
    }

    @Test
    void aSiteWiresTelemetryAndTheConnectorOnOneProducer() {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(4)
                        .vmsPerHost(2)
                        .clusters(1)
                        .sparesPerCluster(1)
                        .heartbeatInterval(Duration.ofMillis(20))
                        .build();
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        SimulatedSite site =
                SimulatedSite.start(
                        consumer,
                        producer,
                        fleet,
                        SimulatedHypervisor.instant(fleet),
                        ConnectorOptions.defaults());
        try {
            await("assigned", () -> consumer.assignment().contains(TP));
            await("beating", () -> site.telemetry().ticks() >= 2);
            deliver(command("f1", Action.FENCE_HOST, "h01", null, null, List.of(), List.of()));
            await("answered", () -> results().size() == 1);
            assertThat(results().get(0).getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
            assertThat(fleet.beats("h01", io.vmres.schema.Channel.mgmt)).isFalse();
        } finally {
            site.close();
        }
        assertThat(consumer.closed()).isTrue();
        assertThat(site.telemetry().isClosed()).isTrue();
        assertThat(site.connector().isRunning()).isFalse();
    }

    private static Command command(
            String id,
            Action action,
            String host,
            String target,
            String vm,
            List<String> vms,
            List<String> disks) {
        return Command.newBuilder()
                .setCommandId(id)
                .setIncidentId("inc-1")
                .setAction(action)
                .setHost(host)
                .setTarget(target)
                .setVm(vm)
                .setVms(action == Action.MAP_DISKS ? vms : null)
                .setDisks(action == Action.MAP_DISKS ? disks : null)
                .setAttempt(1)
                .setPriority(vm == null ? null : 500)
                .setCluster("c1")
                .setTs(Instant.now())
                .build();
    }

    private void deliver(Command c) {
        consumer.addRecord(TopicRecords.onCommands(c, offset++));
    }

    private List<CommandResult> results() {
        return TopicRecords.sent(producer, Topics.COMMAND_RESULTS, CommandResult.class);
    }

    private static Object decode(byte[] bytes) {
        try {
            return CODEC.decode(bytes);
        } catch (AvroCodec.BadRecordException e) {
            throw new AssertionError(e);
        }
    }
}
