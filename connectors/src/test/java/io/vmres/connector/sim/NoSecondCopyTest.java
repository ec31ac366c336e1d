package io.vmres.connector.sim;

import static io.vmres.connector.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.testing.PacedMockConsumer;
import io.vmres.connector.testing.TopicRecords;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A restart that finishes after its timeout, against the simulated fleet: the fleet's ledger of
 * which VM ran where and when shows whether a VM ever ran on two hosts at once.
 */
class NoSecondCopyTest {
    private static final TopicPartition TP = new TopicPartition(Topics.COMMANDS, 0);
    private static final String FAILED = "h01";

    private final PacedMockConsumer consumer = new PacedMockConsumer();
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private long offset;
    private ConnectorService service;
    private SimulatedFleet fleet;
    private SimulatedHypervisor hv;
    private String vm;

    @BeforeEach
    void fleet() {
        fleet =
                SimulatedFleet.builder()
                        .hosts(10)
                        .vmsPerHost(4)
                        .clusters(1)
                        .sparesPerCluster(2)
                        .requireMappedDisks(false)
                        .seed(11)
                        .build();
        hv = SimulatedHypervisor.instant(fleet);
        vm = fleet.vmsOn(FAILED).get(0).vm();
        fleet.crash(FAILED);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aRestartThatCompletesAfterItsTimeoutIsNeverLeftRunningBesideItsRetry() {
        start();
        hv.lateFinish(List.of(vm), Duration.ofMillis(300));
        deliver(restart("r1", "h09"));

        await("answered", () -> results().size() == 1);
        CommandResult first = results().get(0);
        assertThat(first.getStatus()).isEqualTo(CommandStatus.TIMED_OUT);
        assertThat(first.getDetail()).endsWith("started late on h09; stopped there");
        assertThat(hv.ledger().forCommand("r1"))
                .singleElement()
                .satisfies(e -> assertThat(e.detail()).startsWith("finished late"));

        // The job retries elsewhere, only once the first target is settled.
        hv.lateFinish(List.of(), Duration.ZERO);
        deliver(restart("r2", "h10"));
        await("retry answered", () -> results().size() == 2);
        assertThat(results().get(1).getStatus()).isEqualTo(CommandStatus.SUCCEEDED);

        assertThat(hv.ledger().vmsOnTwoHostsAtOnce()).isZero();
        assertThat(hv.ledger().hostsRunning(vm)).containsExactly("h10");
        assertThat(hv.ledger().intervals())
                .filteredOn(i -> i.vm().equals(vm))
                .extracting(Ledger.Interval::host)
                .containsExactly(FAILED, "h09", "h10");
        assertThat(service.counters().settled()).isEqualTo(1);
    }

    @Test
    void withoutASettleALateRestartRunsBesideItsRetryAndTheLedgerSaysSo() throws Exception {
        hv.lateFinish(List.of(vm), Duration.ofMillis(300));
        AtomicReference<Outcome> late = new AtomicReference<>();
        Thread call =
                new Thread(
                        () -> {
                            try {
                                late.set(
                                        hv.restart(
                                                new Request.Restart("r1", vm, FAILED, "h09"),
                                                Duration.ofMillis(100)));
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        call.start();
        await("late call under way", () -> call.getState() == Thread.State.TIMED_WAITING);
        hv.lateFinish(List.of(), Duration.ZERO);
        assertThat(hv.restart(new Request.Restart("r2", vm, FAILED, "h10"), Duration.ofSeconds(1)))
                .isEqualTo(Outcome.succeeded("restarted on h10"));
        call.join(5_000);

        assertThat(late.get().detail()).contains("a second copy");
        assertThat(hv.ledger().vmsOnTwoHostsAtOnce()).isEqualTo(1);
        assertThat(hv.ledger().hostsRunning(vm)).isEqualTo(Set.of("h09", "h10"));

        Outcome settled =
                hv.settle(new Request.Restart("r1", vm, FAILED, "h09"), Duration.ofSeconds(1));
        assertThat(settled).isEqualTo(Outcome.succeeded("started late on h09; stopped there"));
        assertThat(hv.ledger().hostsRunning(vm)).containsExactly("h10");
        assertThat(fleet.vm(vm).get().host()).isEqualTo("h10");
    }

    @Test
    void aTargetThatCannotBeSettledLeavesTheCommandInDoubt() {
        start();
        hv.lateFinish(List.of(vm), Duration.ofMillis(300));
        deliver(restart("r1", "h09"));
        fleet.isolate("h09"); // its management network fails while the call runs

        await("answered", () -> results().size() == 1);
        CommandResult r = results().get(0);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.FAILED);
        assertThat(r.getDetail()).startsWith("in doubt: ").contains("h09 does not answer");
        assertThat(service.counters().unsettled()).isEqualTo(1);
        assertThat(hv.ledger().vmsOnTwoHostsAtOnce()).isZero();
    }

    private void start() {
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        service =
                new ConnectorService(
                                consumer,
                                producer,
                                hv,
                                ConnectorOptions.builder()
                                        .commandTimeout(Duration.ofMillis(300))
                                        .timeoutFromCommandTs(false)
                                        .settleTimeout(Duration.ofSeconds(3))
                                        .jobCommandTimeout(Duration.ofSeconds(10))
                                        .build())
                        .start();
        await("assigned", () -> consumer.assignment().contains(TP));
    }

    private Command restart(String id, String target) {
        return TopicRecords.restart(id, vm, FAILED, target);
    }

    private void deliver(Command c) {
        consumer.addRecord(TopicRecords.onCommands(c, offset++));
    }

    private List<CommandResult> results() {
        return TopicRecords.sent(producer, Topics.COMMAND_RESULTS, CommandResult.class);
    }
}
