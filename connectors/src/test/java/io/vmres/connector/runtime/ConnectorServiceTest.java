package io.vmres.connector.runtime;

import static io.vmres.connector.testing.Eventually.await;
import static io.vmres.connector.testing.TopicRecords.fence;
import static io.vmres.connector.testing.TopicRecords.onCommands;
import static io.vmres.connector.testing.TopicRecords.restart;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.testing.PacedMockConsumer;
import io.vmres.connector.testing.TopicRecords;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectorServiceTest {
    private static final TopicPartition TP = new TopicPartition(Topics.COMMANDS, 0);
    private static final AvroCodec CODEC = new AvroCodec();

    private final PacedMockConsumer consumer = new PacedMockConsumer();
    private MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final FakeConnector connector = new FakeConnector();
    private final AtomicLong nextOffset = new AtomicLong();
    private ConnectorService service;

    @AfterEach
    void stop() {
        connector.release();
        if (service != null) {
            service.close(Duration.ofSeconds(5));
        }
    }

    private ConnectorService start(ConnectorOptions options) {
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        service = new ConnectorService(consumer, producer, connector, options).start();
        await("partition assigned", () -> consumer.assignment().contains(TP));
        return service;
    }

    private ConnectorService start() {
        return start(ConnectorOptions.defaults());
    }

    @Test
    void commandRunsOnceAndGetsOneResult() {
        start();
        deliver(restart("cmd-1", "vm1", "h1", "t1"));

        await("one result", () -> results().size() == 1);
        CommandResult result = results().get(0);
        assertThat(result.getCommandId()).isEqualTo("cmd-1");
        assertThat(result.getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(result.getDetail()).isEqualTo("done");
        assertThat(result.getCluster()).isEqualTo("c1");
        assertThat(resultKeys()).containsExactly("c1");
        assertThat(connector.calls("cmd-1")).isEqualTo(1);
        await("offset committed past the command", () -> committedIs(1));
        assertThat(service.counters().run()).isEqualTo(1);
        assertThat(service.counters().succeeded()).isEqualTo(1);
    }

    @Test
    void sameCommandIdTwiceRunsOnceAndIsAnsweredTwiceAlike() {
        start();
        deliver(restart("cmd-1", "vm1", "h1", "t1"));
        await("first answer", () -> results().size() == 1);
        deliver(restart("cmd-1", "vm1", "h1", "t1")); // redelivered after its answer

        await("second answer", () -> results().size() == 2);
        assertThat(results().get(1)).isEqualTo(results().get(0));
        assertThat(connector.calls("cmd-1")).isEqualTo(1);
        assertThat(service.counters().duplicates()).isEqualTo(1);
        await("both offsets committed", () -> committedIs(2));
    }

    @Test
    void duplicateWhileRunningWaitsForTheSameAnswer() {
        start();
        connector.hold();
        deliver(restart("cmd-1", "vm1", "h1", "t1"));
        await("call started", () -> connector.running() == 1);
        deliver(restart("cmd-1", "vm1", "h1", "t1"));
        await("duplicate seen", () -> service.counters().duplicates() == 1);
        assertThat(results()).isEmpty();
        // The first offset is not answered yet, so nothing may be committed.
        assertThat(committed()).isNull();

        connector.release();
        await("two answers", () -> results().size() == 2);
        assertThat(results().get(1)).isEqualTo(results().get(0));
        assertThat(connector.calls("cmd-1")).isEqualTo(1);
        await("both offsets committed", () -> committedIs(2));
    }

    @Test
    void inFlightLimitsHoldPerTargetAndOverall() {
        start(ConnectorOptions.builder().maxInFlightPerTarget(2).maxInFlight(5).build());
        connector.hold();
        int n = 0;
        for (String target : List.of("t1", "t2", "t3")) {
            for (int i = 0; i < 4; i++) {
                deliver(restart("cmd-" + n, "vm" + n, "h0", target));
                n++;
            }
        }
        await(
                "limit reached, the rest queued",
                () -> connector.running() == 5 && service.counters().queued() == 7);
        assertThat(results()).isEmpty();
        // Oldest first: t1 and t2 fill their two slots each, t3 gets the fifth.
        assertThat(connector.maxRunning("t1")).isEqualTo(2);
        assertThat(connector.maxRunning("t2")).isEqualTo(2);
        assertThat(connector.maxRunning("t3")).isEqualTo(1);

        connector.release();
        await("all answered", () -> results().size() == 12);
        assertThat(connector.maxRunning()).isEqualTo(5);
        for (String target : List.of("t1", "t2", "t3")) {
            assertThat(connector.maxRunning(target)).as(target).isLessThanOrEqualTo(2);
        }
        assertThat(connector.totalCalls()).isEqualTo(12);
        await("all committed", () -> committedIs(12));
    }

    @Test
    void aFenceCountsAgainstItsHost() {
        start(ConnectorOptions.builder().maxInFlightPerTarget(1).maxInFlight(4).build());
        connector.hold();
        deliver(fence("f-1", "h1"));
        deliver(restart("r-1", "vm1", "h9", "h1"));
        deliver(fence("f-2", "h2"));
        await(
                "two started, one queued",
                () -> connector.running() == 2 && service.counters().queued() == 1);
        connector.release();
        await("all answered", () -> results().size() == 3);
        assertThat(connector.maxRunning("h1")).isEqualTo(1);
    }

    @Test
    void undecodableRecordsGoToDeadLetterAndTheServiceGoesOn() {
        start();
        deliverRaw("not avro at all".getBytes(StandardCharsets.UTF_8));
        deliverRaw(
                CODEC.encode(
                        Heartbeat.newBuilder()
                                .setHost("h1")
                                .setChannel(Channel.mgmt)
                                .setTs(Instant.now())
                                .build()));
        deliver(restart("cmd-1", "vm1", "h1", "t1"));

        await("command answered", () -> results().size() == 1);
        List<DeadLetter> dead = sent(Topics.DEAD_LETTER, DeadLetter.class);
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).getSource()).isEqualTo(Topics.COMMANDS);
        assertThat(dead.get(0).getReason()).contains("marker").contains(Topics.COMMANDS + "-0@0");
        assertThat(dead.get(0).getRaw())
                .isEqualTo(
                        java.util.Base64.getEncoder()
                                .encodeToString(
                                        "not avro at all".getBytes(StandardCharsets.UTF_8)));
        assertThat(dead.get(1).getReason()).contains("expected a Command, got a Heartbeat");
        assertThat(service.counters().deadLetters()).isEqualTo(2);
        assertThat(service.isRunning()).isTrue();
        await("all three committed", () -> committedIs(3));
    }

    @Test
    void invalidCommandIsAnsweredFailedWithoutACall() {
        start();
        Command noTarget = restart("cmd-1", "vm1", "h1", "t1");
        noTarget.setTarget(null);
        deliver(noTarget);

        await("answered", () -> results().size() == 1);
        assertThat(results().get(0).getStatus()).isEqualTo(CommandStatus.FAILED);
        assertThat(results().get(0).getDetail()).contains("invalid command").contains("target");
        assertThat(connector.totalCalls()).isZero();
    }

    @Test
    void connectorFailuresAndExceptionsAreAnsweredFailed() {
        start();
        connector.answer(
                r -> {
                    if (r.commandId().equals("boom")) {
                        throw new IllegalStateException("hypervisor api down");
                    }
                    return Outcome.failed("no capacity");
                });
        deliver(restart("boom", "vm1", "h1", "t1"));
        deliver(restart("nope", "vm2", "h1", "t1"));

        await("answered", () -> results().size() == 2);
        assertThat(results())
                .extracting(CommandResult::getCommandId, CommandResult::getStatus)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("boom", CommandStatus.FAILED),
                        org.assertj.core.groups.Tuple.tuple("nope", CommandStatus.FAILED));
        assertThat(results())
                .filteredOn(r -> r.getCommandId().equals("boom"))
                .singleElement()
                .extracting(CommandResult::getDetail)
                .asString()
                .contains("hypervisor api down");
        assertThat(service.counters().failed()).isEqualTo(2);
    }

    @Test
    void aCallPastItsTimeoutIsAnsweredTimedOutAndInterrupted() {
        start(
                ConnectorOptions.builder()
                        .commandTimeout(Duration.ofMillis(200))
                        .timeoutFromCommandTs(false)
                        .build());
        connector.hold();
        deliver(restart("slow", "vm1", "h1", "t1"));

        await("answered", () -> results().size() == 1);
        assertThat(results().get(0).getStatus()).isEqualTo(CommandStatus.TIMED_OUT);
        // A restart is settled on its target before it is answered.
        assertThat(results().get(0).getDetail())
                .isEqualTo("no answer within PT0.2S; not running on t1");
        assertThat(service.counters().settled()).isEqualTo(1);
        await("call interrupted", () -> connector.interrupted() == 1);
        assertThat(service.counters().timedOut()).isEqualTo(1);
        await("slot given back", () -> service.counters().running() == 0);
    }

    @Test
    void aCommandOlderThanItsTimeoutIsNotRun() {
        start(ConnectorOptions.builder().commandTimeout(Duration.ofMinutes(4)).build());
        Command stale = restart("old", "vm1", "h1", "t1");
        stale.setTs(Instant.now().minus(Duration.ofMinutes(6)));
        deliver(stale);

        await("answered", () -> results().size() == 1);
        assertThat(results().get(0).getStatus()).isEqualTo(CommandStatus.TIMED_OUT);
        assertThat(results().get(0).getDetail()).contains("expired");
        assertThat(connector.totalCalls()).isZero();
    }

    @Test
    void closeWaitsForCallsInFlightAndWritesTheirResults() throws Exception {
        start();
        connector.hold();
        deliver(restart("cmd-1", "vm1", "h1", "t1"));
        await("call started", () -> connector.running() == 1);

        Thread closer = new Thread(() -> service.close(Duration.ofSeconds(10)));
        closer.start();
        await("stopped reading", () -> !service.isRunning());
        assertThat(closer.isAlive()).as("close returned while a call was in flight").isTrue();
        assertThat(results()).isEmpty();

        connector.release();
        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(results()).extracting(CommandResult::getCommandId).containsExactly("cmd-1");
        assertThat(consumer.closed()).isTrue();
        assertThat(committed()).isEqualTo(1L);
    }

    @Test
    void closeIsBoundedAndLeavesUnfinishedCommandsUncommitted() throws Exception {
        start();
        connector.hold();
        deliver(restart("stuck", "vm1", "h1", "t1"));
        deliver(restart("cmd-2", "vm2", "h1", "t2"));
        await("calls started", () -> connector.running() == 2);

        long t0 = System.nanoTime();
        service.close(Duration.ofMillis(300));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        assertThat(results()).isEmpty();
        assertThat(committed()).isNull();
        await("calls interrupted", () -> connector.interrupted() == 2);
        service = null;
    }

    @Test
    void aResultThatCannotBeWrittenStopsTheServiceWithoutCommittingIt() {
        producer =
                new MockProducer<>(
                        false, null, new ByteArraySerializer(), new ByteArraySerializer());
        start();
        deliver(restart("cmd-1", "vm1", "h1", "t1"));
        await("result handed to the producer", () -> producer.history().size() == 1);

        producer.errorNext(new KafkaException("broker gone"));
        await("stopped", () -> !service.isRunning());
        assertThat(service.failure()).get().asString().contains("broker gone");
        assertThat(committed()).isNull();
    }

    @Test
    void commandsQueuedForARevokedPartitionAreLeftToItsNewOwner() {
        start(ConnectorOptions.builder().maxInFlightPerTarget(1).build());
        connector.hold();
        deliver(restart("cmd-1", "vm1", "h1", "t1"));
        deliver(restart("cmd-2", "vm2", "h1", "t1"));
        deliver(restart("cmd-3", "vm3", "h1", "t1"));
        await(
                "one running, two queued",
                () -> connector.running() == 1 && service.counters().queued() == 2);

        consumer.schedulePollTask(() -> consumer.rebalance(List.of()));
        await("queue dropped", () -> service.counters().queued() == 0);
        connector.release();
        await("the running one answered", () -> results().size() == 1);
        assertThat(results().get(0).getCommandId()).isEqualTo("cmd-1");
        assertThat(connector.totalCalls()).isEqualTo(1);
        assertThat(service.isRunning()).isTrue();
    }

    @Test
    void aLongQueuePausesFetchingUntilItDrains() {
        start(ConnectorOptions.builder().maxInFlightPerTarget(1).maxQueued(2).build());
        connector.hold();
        for (int i = 0; i < 6; i++) {
            deliver(restart("cmd-" + i, "vm" + i, "h1", "t1"));
        }
        await("paused", () -> service.counters().queued() > 2 && consumer.paused().contains(TP));

        connector.release();
        await("all answered", () -> results().size() == 6);
        await("resumed", () -> consumer.paused().isEmpty());
        assertThat(connector.maxRunning("t1")).isEqualTo(1);
    }

    @Test
    void anotherConnectorsCommandIsNeitherRunNorAnswered() {
        connector.handles(r -> !r.limitKey().equals("t9"));
        start();
        deliver(restart("cmd-other", "vm1", "h1", "t9"));
        deliver(restart("cmd-mine", "vm2", "h1", "t1"));

        await("one result", () -> results().size() == 1);
        assertThat(results().get(0).getCommandId()).isEqualTo("cmd-mine");
        await("both offsets committed", () -> committedIs(2));
        assertThat(connector.calls("cmd-other")).isZero();
        assertThat(service.counters().skipped()).isEqualTo(1);
    }

    @Test
    void transientErrorIsRetriedWithBackoffUntilItPasses() {
        java.util.concurrent.atomic.AtomicInteger calls =
                new java.util.concurrent.atomic.AtomicInteger();
        connector.answer(
                r -> {
                    if (calls.incrementAndGet() <= 2) {
                        throw new TransientException("connection refused");
                    }
                    return Outcome.succeeded("done");
                });
        start(
                ConnectorOptions.builder()
                        .retryBackoff(Duration.ofMillis(10), Duration.ofMillis(20))
                        .build());
        deliver(restart("cmd-r", "vm1", "h1", "t1"));

        await("one result", () -> results().size() == 1);
        assertThat(results().get(0).getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(connector.calls("cmd-r")).isEqualTo(3);
        assertThat(service.counters().retries()).isEqualTo(2);
    }

    @Test
    void transientErrorWithoutTimeLeftFailsRatherThanTimingOut() {
        connector.answer(
                r -> {
                    throw new TransientException("BMC does not answer");
                });
        start(
                ConnectorOptions.builder()
                        .commandTimeout(Duration.ofMillis(600))
                        .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                        .build());
        deliver(fence("cmd-t", "h1"));

        await("one result", () -> results().size() == 1);
        CommandResult r = results().get(0);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.FAILED);
        assertThat(r.getDetail()).contains("no time left to retry", "BMC does not answer");
        assertThat(connector.calls("cmd-t")).isBetween(2, 3);
    }

    @Test
    void exactlyOnceModeWritesResultLedgerAndOffsetInOneTransaction() {
        start(ConnectorOptions.builder().exactlyOnce(true).build());
        deliver(restart("cmd-x", "vm1", "h1", "t1"));

        await("one result", () -> results().size() == 1);
        await("offset sent with the transaction", () -> transactionOffset() != null);
        assertThat(transactionOffset()).isEqualTo(1L);
        assertThat(ledgerStates("cmd-x")).containsExactly("STARTED", "DONE");
        assertThat(committed()).as("no commit outside a transaction").isNull();
        assertThat(service.counters().latencyMaxMillis()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void exactlyOnceModeNeverAnswersACommandTwice() {
        start(ConnectorOptions.builder().exactlyOnce(true).build());
        deliver(restart("cmd-y", "vm1", "h1", "t1"));
        await("one result", () -> results().size() == 1);

        deliver(restart("cmd-y", "vm1", "h1", "t1"));
        await("the redelivery is answered", () -> Long.valueOf(2).equals(transactionOffset()));

        assertThat(results()).hasSize(1);
        assertThat(connector.calls("cmd-y")).isEqualTo(1);
        assertThat(service.counters().duplicates()).isEqualTo(1);
    }

    @Test
    void exactlyOnceModeNeverRunsAgainWhatAPredecessorStartedOrAnswered() {
        CommandLedger ledger = new CommandLedger();
        ledger.put("cmd-started", CommandLedger.State.STARTED);
        ledger.put("cmd-done", CommandLedger.State.STARTED);
        ledger.put("cmd-done", CommandLedger.State.DONE);
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        service =
                new ConnectorService(
                                consumer,
                                producer,
                                connector,
                                ConnectorOptions.builder().exactlyOnce(true).build(),
                                ledger)
                        .start();
        await("partition assigned", () -> consumer.assignment().contains(TP));

        deliver(restart("cmd-started", "vm1", "h1", "t1"));
        deliver(restart("cmd-done", "vm2", "h1", "t1"));
        deliver(restart("cmd-new", "vm3", "h1", "t1"));

        await("answered", () -> results().size() == 2);
        await("all three offsets", () -> Long.valueOf(3).equals(transactionOffset()));
        assertThat(results())
                .extracting(CommandResult::getCommandId, CommandResult::getStatus)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("cmd-started", CommandStatus.FAILED),
                        org.assertj.core.groups.Tuple.tuple("cmd-new", CommandStatus.SUCCEEDED));
        assertThat(results().stream().filter(r -> r.getCommandId().equals("cmd-started")))
                .singleElement()
                .satisfies(r -> assertThat(r.getDetail()).startsWith("in doubt"));
        // The default answer to a command in doubt never calls the hypervisor again.
        assertThat(connector.calls("cmd-started")).isZero();
        assertThat(connector.calls("cmd-done")).isZero();
        assertThat(connector.calls("cmd-new")).isEqualTo(1);
        assertThat(ledgerStates("cmd-new")).containsExactly("STARTED", "DONE");
        assertThat(ledgerStates("cmd-started")).containsExactly("DONE");
        assertThat(service.counters().inDoubt()).isEqualTo(1);
        assertThat(service.counters().duplicates()).isEqualTo(1);
    }

    @Test
    void aCommandIdKnownWithAnotherRequestIsRefusedNeverRunNorAnsweredWithTheOld() {
        start();
        deliver(fence("f-1", "h1"));
        await("first answer", () -> results().size() == 1);
        deliver(fence("f-1", "h2")); // an old fence's id on a new fence of another host
        deliver(restart("f-1", "vm1", "h1", "t1"));

        await("refused", () -> results().size() == 3);
        assertThat(results().get(0).getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(results().subList(1, 3))
                .allSatisfy(
                        r -> {
                            assertThat(r.getStatus()).isEqualTo(CommandStatus.FAILED);
                            assertThat(r.getDetail())
                                    .startsWith("conflicting command id f-1")
                                    .contains("known as FENCE_HOST host=h1");
                        });
        assertThat(results().get(1).getDetail()).contains("asks FENCE_HOST host=h2");
        assertThat(connector.calls("f-1")).isEqualTo(1);
        assertThat(service.counters().conflicts()).isEqualTo(2);
        assertThat(service.counters().duplicates()).isZero();
        await("every offset committed", () -> committedIs(3));
    }

    @Test
    void aCommandIdInTheLedgerWithAnotherRequestIsRefusedAndLeavesTheLedgerAlone() {
        CommandLedger ledger = new CommandLedger();
        Command old = fence("f-old", "h1");
        ledger.put("f-old", CommandLedger.State.DONE, Instant.now().toEpochMilli(), fp(old));
        startExactlyOnce(ConnectorOptions.builder().exactlyOnce(true).build(), ledger);

        deliver(fence("f-old", "h2"));
        deliver(fence("f-old", "h1")); // the same request: a duplicate, as before

        await("both answered", () -> Long.valueOf(2).equals(transactionOffset()));
        assertThat(results())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.getStatus()).isEqualTo(CommandStatus.FAILED);
                            assertThat(r.getDetail()).startsWith("conflicting command id f-old");
                        });
        assertThat(connector.totalCalls()).isZero();
        assertThat(ledgerStates("f-old")).isEmpty();
        assertThat(service.counters().conflicts()).isEqualTo(1);
        assertThat(service.counters().duplicates()).isEqualTo(1);
    }

    @Test
    void ledgerEntriesPastTheirRetentionAreTombstoned() {
        long now = Instant.now().toEpochMilli();
        CommandLedger ledger = new CommandLedger();
        ledger.put("old", CommandLedger.State.DONE, now - Duration.ofHours(25).toMillis(), "x");
        ledger.put(
                "old-started",
                CommandLedger.State.STARTED,
                now - Duration.ofDays(3).toMillis(),
                "x");
        ledger.put("recent", CommandLedger.State.DONE, now - Duration.ofHours(1).toMillis(), "x");
        startExactlyOnce(ConnectorOptions.builder().exactlyOnce(true).build(), ledger);

        await("tombstones written", () -> tombstones().size() == 2);
        assertThat(tombstones()).containsExactly("old", "old-started");
        assertThat(ledger.state("old")).isEmpty();
        assertThat(ledger.state("recent")).contains(CommandLedger.State.DONE);
        assertThat(service.counters().ledgerExpired()).isEqualTo(2);

        // Forgotten, an expired command is never run again: it is answered as expired.
        Command stale = restart("old", "vm1", "h1", "t1");
        stale.setTs(Instant.now().minus(Duration.ofHours(25)));
        deliver(stale);
        await("answered", () -> results().size() == 1);
        assertThat(results().get(0).getDetail()).contains("expired");
        assertThat(connector.totalCalls()).isZero();
    }

    @Test
    void theLedgerIsLoadedOutsideTheRebalanceCallbackAndAnUnreadableEntryIsSkipped() {
        TopicPartition lp = new TopicPartition(Topics.CONNECTOR_LEDGER, 0);
        List<Boolean> pollsInCallback = new java.util.concurrent.CopyOnWriteArrayList<>();
        MockConsumer<byte[], byte[]> reader =
                new MockConsumer<>("earliest") {
                    @Override
                    public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
                        pollsInCallback.add(
                                StackWalker.getInstance()
                                        .walk(
                                                f ->
                                                        f.anyMatch(
                                                                x ->
                                                                        x.getMethodName()
                                                                                .startsWith(
                                                                                        "onPartitions"))));
                        return super.poll(timeout);
                    }
                };
        reader.updatePartitions(
                Topics.CONNECTOR_LEDGER,
                List.of(new PartitionInfo(Topics.CONNECTOR_LEDGER, 0, null, null, null)));
        reader.updateBeginningOffsets(Map.of(lp, 0L));
        reader.updateEndOffsets(Map.of(lp, 3L));
        long now = Instant.now().toEpochMilli();
        reader.schedulePollTask(
                () -> {
                    reader.addRecord(
                            ledgerRecord(
                                    lp,
                                    0,
                                    "cmd-done",
                                    CommandLedger.entry(
                                            CommandLedger.State.DONE,
                                            Outcome.succeeded(),
                                            now,
                                            fp(restart("cmd-done", "vm1", "h1", "t1")))));
                    reader.addRecord(
                            ledgerRecord(
                                    lp,
                                    1,
                                    "cmd-bad",
                                    "{not json".getBytes(StandardCharsets.UTF_8)));
                    reader.addRecord(
                            ledgerRecord(
                                    lp,
                                    2,
                                    "cmd-started",
                                    CommandLedger.entry(CommandLedger.State.STARTED, null, now)));
                });
        CommandLedger ledger = new CommandLedger(() -> reader);
        startExactlyOnce(ConnectorOptions.builder().exactlyOnce(true).build(), ledger);

        deliver(restart("cmd-done", "vm1", "h1", "t1"));
        deliver(restart("cmd-bad", "vm2", "h1", "t1"));
        deliver(restart("cmd-started", "vm3", "h1", "t1"));

        await("all three answered", () -> Long.valueOf(3).equals(transactionOffset()));
        assertThat(pollsInCallback).isNotEmpty().containsOnly(false);
        assertThat(service.counters().ledgerSkipped()).isEqualTo(1);
        assertThat(service.isRunning()).isTrue();
        // DONE: passed over; unreadable: unknown, so it runs; STARTED: in doubt, not run again.
        assertThat(connector.calls("cmd-done")).isZero();
        assertThat(connector.calls("cmd-bad")).isEqualTo(1);
        assertThat(connector.calls("cmd-started")).isZero();
        assertThat(service.counters().inDoubt()).isEqualTo(1);
    }

    private void startExactlyOnce(ConnectorOptions options, CommandLedger ledger) {
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        service = new ConnectorService(consumer, producer, connector, options, ledger).start();
        await("partition assigned", () -> consumer.assignment().contains(TP));
    }

    private static ConsumerRecord<byte[], byte[]> ledgerRecord(
            TopicPartition tp, long offset, String id, byte[] value) {
        return new ConsumerRecord<>(
                tp.topic(), tp.partition(), offset, id.getBytes(StandardCharsets.UTF_8), value);
    }

    private static String fp(Command c) {
        return Request.fingerprint(c);
    }

    private List<String> tombstones() {
        List<String> out = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.topic().equals(Topics.CONNECTOR_LEDGER) && r.value() == null) {
                out.add(new String(r.key(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private Long transactionOffset() {
        Long last = null;
        for (Map<String, Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata>>
                m : producer.consumerGroupOffsetsHistory()) {
            for (Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> o :
                    m.values()) {
                if (o.containsKey(TP)) {
                    last = o.get(TP).offset();
                }
            }
        }
        return last;
    }

    private List<String> ledgerStates(String commandId) {
        List<String> out = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.topic().equals(Topics.CONNECTOR_LEDGER)
                    && new String(r.key(), StandardCharsets.UTF_8).equals(commandId)) {
                out.add(CommandLedger.stateOf(r.value()).name());
            }
        }
        return out;
    }

    // ---- fixtures ----

    private void deliver(Command command) {
        consumer.addRecord(onCommands(command, nextOffset.getAndIncrement()));
    }

    private void deliverRaw(byte[] value) {
        consumer.addRecord(
                new ConsumerRecord<>(
                        Topics.COMMANDS, 0, nextOffset.getAndIncrement(), null, value));
    }

    private List<CommandResult> results() {
        return sent(Topics.COMMAND_RESULTS, CommandResult.class);
    }

    private List<String> resultKeys() {
        List<String> keys = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.topic().equals(Topics.COMMAND_RESULTS)) {
                keys.add(new String(r.key(), StandardCharsets.UTF_8));
            }
        }
        return keys;
    }

    private <T extends SpecificRecord> List<T> sent(String topic, Class<T> type) {
        return TopicRecords.sent(producer, topic, type);
    }

    private boolean committedIs(long offset) {
        return Long.valueOf(offset).equals(committed());
    }

    /** The committed offset of the partition, or null when none was committed. */
    private Long committed() {
        return consumer.lastCommitted(TP);
    }
}
