package io.vmres.connector.sim;

import static io.vmres.connector.testing.Eventually.await;
import static io.vmres.connector.testing.TopicRecords.fence;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.connector.testing.PacedMockConsumer;
import io.vmres.connector.testing.TopicRecords;
import io.vmres.schema.Alert;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Topics;
import io.vmres.schema.sign.KeyPurpose;
import io.vmres.schema.sign.KeysFile;
import io.vmres.schema.sign.RecordSigning;
import io.vmres.schema.sign.SigningKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connector with keys runs only commands the job signed, fresh and read once: forged, altered,
 * unsigned, replayed, stale commands and those signed with a retired key run nothing on the
 * simulated fleet, and each gets a {@code REJECTED} result and an alert. Its results are signed.
 */
class SignedCommandsTest {
    private static final TopicPartition TP = new TopicPartition(Topics.COMMANDS, 0);

    @TempDir Path dir;

    private final PacedMockConsumer consumer = new PacedMockConsumer();
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final KeyPair job1 = SigningKeys.newKeyPair();
    private final KeyPair job2 = SigningKeys.newKeyPair();
    private final KeyPair connector1 = SigningKeys.newKeyPair();
    private long offset;
    private SimulatedFleet fleet;
    private SimulatedHypervisor hv;
    private ConnectorService service;
    private KeysFile connectorKeys;
    private RecordSigning job;

    @BeforeEach
    void start() throws Exception {
        fleet = SimulatedFleet.builder().hosts(6).vmsPerHost(2).clusters(1).seed(3).build();
        hv = SimulatedHypervisor.instant(fleet);
        // The job signs with job-2, the newest; job-1 is still valid: a rotation under way.
        Properties jobSide = new Properties();
        SigningKeys.put(jobSide, "job-1", KeyPurpose.COMMANDS, job1, true);
        SigningKeys.put(jobSide, "job-2", KeyPurpose.COMMANDS, job2, true);
        jobSide.setProperty("sign.commands", "job-2");
        SigningKeys.put(jobSide, "connector-1", KeyPurpose.RESULTS, connector1, false);
        job = new RecordSigning(KeysFile.open(SigningKeys.write(jobSide, dir.resolve("job.keys"))));
        connectorKeys =
                KeysFile.open(SigningKeys.write(connectorSide(false), dir.resolve("c.keys")));

        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(TP)));
        service =
                new ConnectorService(
                                consumer,
                                producer,
                                hv,
                                ConnectorOptions.builder()
                                        .signing(new RecordSigning(connectorKeys))
                                        .commandMaxAge(Duration.ofMinutes(5))
                                        .clockSkew(Duration.ofSeconds(30))
                                        .build())
                        .start();
        await("assigned", () -> consumer.assignment().contains(TP));
    }

    /** The connector's keys: the job's public keys (job-1 retired or not), its own private key. */
    private Properties connectorSide(boolean job1Retired) {
        Properties p = new Properties();
        SigningKeys.put(p, "job-1", KeyPurpose.COMMANDS, job1, false);
        if (job1Retired) {
            p.setProperty("key.job-1.retired", "true");
        }
        SigningKeys.put(p, "job-2", KeyPurpose.COMMANDS, job2, false);
        SigningKeys.put(p, "connector-1", KeyPurpose.RESULTS, connector1, true);
        return p;
    }

    @AfterEach
    void stop() {
        service.close(Duration.ofSeconds(5));
    }

    @Test
    void aSignedCommandRunsAndItsResultIsSigned() {
        deliver(job.sign(fence("f1", "h01"), Instant.now()));

        await("answered", () -> results().size() == 1);
        CommandResult r = results().get(0);
        assertThat(r.getStatus()).isEqualTo(CommandStatus.SUCCEEDED);
        assertThat(hv.ledger().size()).isEqualTo(1);
        assertThat(r.getKeyId()).isEqualTo("connector-1");
        assertThat(job.verify(r).valid()).isTrue();
        assertThat(alerts()).isEmpty();
    }

    @Test
    void forgedAlteredUnsignedStaleAndReplayedCommandsRunNothing() {
        // forged: signed by a key named like the job's, not the job's
        Properties forger = new Properties();
        SigningKeys.put(forger, "job-2", KeyPurpose.COMMANDS, SigningKeys.newKeyPair(), true);
        RecordSigning impostor = new RecordSigning(KeysFile.open(write(forger, "forger.keys")));
        deliver(impostor.sign(fence("forged", "h01"), Instant.now()));
        // altered: the job's command, its host changed on the way
        Command altered = job.sign(fence("altered", "h02"), Instant.now());
        altered.setHost("h03");
        deliver(altered);
        deliver(fence("unsigned", "h04"));
        deliver(job.sign(fence("stale", "h05"), Instant.now().minus(Duration.ofMinutes(6))));
        deliver(job.sign(fence("future", "h05"), Instant.now().plus(Duration.ofMinutes(2))));
        // replayed: a genuine command that ran, written again to the topic
        Command genuine = job.sign(fence("genuine", "h06"), Instant.now());
        deliver(genuine);
        deliver(genuine);

        await("every delivery answered", () -> results().size() == 7);
        assertThat(hv.ledger().size()).as("only the genuine fence ran").isEqualTo(1);
        assertThat(hv.ledger().repeatedCommands()).isEmpty();
        assertThat(fleet.beats("h01", io.vmres.schema.Channel.mgmt)).isTrue();
        // the copy is answered at once, the genuine one when its call ends: either order
        assertThat(statusOf("genuine"))
                .containsExactlyInAnyOrder(CommandStatus.SUCCEEDED, CommandStatus.REJECTED);
        for (String id : List.of("forged", "altered", "unsigned", "stale", "future")) {
            assertThat(statusOf(id)).as(id).containsExactly(CommandStatus.REJECTED);
        }
        assertThat(detailOf("forged")).contains("bad signature");
        assertThat(detailOf("altered")).contains("bad signature");
        assertThat(detailOf("unsigned")).contains("unsigned");
        assertThat(detailOf("stale")).contains("stale");
        assertThat(detailOf("future")).contains("signed in the future");
        assertThat(
                        results().stream()
                                .filter(r -> r.getCommandId().equals("genuine"))
                                .filter(r -> r.getStatus() == CommandStatus.REJECTED)
                                .findFirst()
                                .orElseThrow()
                                .getDetail())
                .contains("replayed", "already read at " + TP + "@5", "again at " + TP + "@6");
        assertThat(alerts()).hasSize(6).allMatch(a -> a.getKind().equals("COMMAND_REJECTED"));
        assertThat(alerts()).extracting(Alert::getIncidentId).containsOnly("inc-1");
        assertThat(results()).allMatch(r -> job.verify(r).valid());
        assertThat(service.counters().rejected()).isEqualTo(6);
        await("all committed", () -> Long.valueOf(7).equals(consumer.lastCommitted(TP)));
    }

    @Test
    void aPollOfManyCommandsIsCheckedSideBySideAndEachJudgedAsAlone() {
        Properties forger = new Properties();
        SigningKeys.put(forger, "job-2", KeyPurpose.COMMANDS, SigningKeys.newKeyPair(), true);
        RecordSigning impostor = new RecordSigning(KeysFile.open(write(forger, "forger.keys")));
        List<Command> batch = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            batch.add(job.sign(fence("ok-" + i, "h0" + i), Instant.now()));
        }
        // among them, in one poll: a forged one, a stale one and a record that is no command
        batch.add(2, impostor.sign(fence("forged", "h01"), Instant.now()));
        batch.add(5, job.sign(fence("stale", "h02"), Instant.now().minus(Duration.ofMinutes(6))));
        consumer.schedulePollTask(
                () -> {
                    for (Command c : batch) {
                        deliver(c);
                    }
                    consumer.addRecord(
                            new ConsumerRecord<>(
                                    Topics.COMMANDS, 0, offset++, null, new byte[] {1, 2, 3}));
                });

        await("every command answered", () -> results().size() == 8);
        for (int i = 1; i <= 6; i++) {
            assertThat(statusOf("ok-" + i)).as("ok-" + i).containsExactly(CommandStatus.SUCCEEDED);
        }
        assertThat(statusOf("forged")).containsExactly(CommandStatus.REJECTED);
        assertThat(detailOf("forged")).contains("bad signature");
        assertThat(statusOf("stale")).containsExactly(CommandStatus.REJECTED);
        assertThat(detailOf("stale")).contains("stale");
        assertThat(hv.ledger().size()).as("each genuine fence ran once").isEqualTo(6);
        assertThat(hv.ledger().repeatedCommands()).isEmpty();
        assertThat(service.counters().rejected()).isEqualTo(2);
        await(
                "all committed, the dead letter too",
                () -> Long.valueOf(9).equals(consumer.lastCommitted(TP)));
    }

    @Test
    void duringARotationBothKeysAreValidAndARetiredOneIsRefused() throws Exception {
        RecordSigning oldJob = oldJobSigning();
        deliver(oldJob.sign(fence("old-key", "h01"), Instant.now()));
        deliver(job.sign(fence("new-key", "h02"), Instant.now()));
        await("answered", () -> results().size() == 2);
        assertThat(statusOf("old-key")).containsExactly(CommandStatus.SUCCEEDED);
        assertThat(statusOf("new-key")).containsExactly(CommandStatus.SUCCEEDED);
        assertThat(results().get(1).getKeyId()).isEqualTo("connector-1");

        // the rotation ends: job-1 retired in the connector's file
        SigningKeys.write(connectorSide(true), connectorKeys.path());
        connectorKeys.reload();
        deliver(oldJob.sign(fence("retired-key", "h03"), Instant.now()));
        deliver(job.sign(fence("after", "h04"), Instant.now()));
        await("answered", () -> results().size() == 4);
        assertThat(statusOf("retired-key")).containsExactly(CommandStatus.REJECTED);
        assertThat(detailOf("retired-key")).contains("retired key job-1");
        assertThat(statusOf("after")).containsExactly(CommandStatus.SUCCEEDED);
        assertThat(hv.ledger().size()).isEqualTo(3);
        assertThat(fleet.beats("h03", io.vmres.schema.Channel.mgmt)).isTrue();
        assertThat(alerts())
                .singleElement()
                .satisfies(a -> assertThat(a.getDetail()).contains("retired-key"));
    }

    /** The job before the rotation: it signed with job-1. */
    private RecordSigning oldJobSigning() {
        Properties p = new Properties();
        SigningKeys.put(p, "job-1", KeyPurpose.COMMANDS, job1, true);
        return new RecordSigning(KeysFile.open(write(p, "old-job.keys")));
    }

    private Path write(Properties p, String name) {
        try {
            return SigningKeys.write(p, dir.resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void deliver(Command c) {
        consumer.addRecord(TopicRecords.onCommands(c, offset++));
    }

    private List<CommandStatus> statusOf(String id) {
        return results().stream()
                .filter(r -> r.getCommandId().equals(id))
                .map(CommandResult::getStatus)
                .toList();
    }

    private String detailOf(String id) {
        return results().stream()
                .filter(r -> r.getCommandId().equals(id))
                .findFirst()
                .orElseThrow()
                .getDetail();
    }

    private List<CommandResult> results() {
        return records(Topics.COMMAND_RESULTS, CommandResult.class);
    }

    private List<Alert> alerts() {
        return records(Topics.ALERTS, Alert.class);
    }

    private <T> List<T> records(String topic, Class<T> type) {
        return TopicRecords.sent(producer, topic, type);
    }
}
