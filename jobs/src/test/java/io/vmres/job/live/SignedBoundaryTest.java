package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.job.Emitted;
import io.vmres.job.RouteFunction;
import io.vmres.schema.AvroCodec;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live boundary of the job: commands leave it signed, and a result it cannot verify never
 * reaches an engine (a dead letter and an alert instead), so a forged {@code SUCCEEDED} fence moves
 * nothing.
 */
@SuppressWarnings("try") // test harnesses and fixtures held open by try-with-resources
class SignedBoundaryTest {
    private static final AvroCodec CODEC = new AvroCodec();
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir Path dir;

    private final KeyPair job = SigningKeys.newKeyPair();
    private final KeyPair connector = SigningKeys.newKeyPair();
    private final KeyPair oldConnector = SigningKeys.newKeyPair();
    private Path jobKeys;
    private RecordSigning connectorSide;

    @BeforeEach
    void keys() throws Exception {
        Properties j = new Properties();
        SigningKeys.put(j, "job-1", KeyPurpose.COMMANDS, job, true);
        SigningKeys.put(j, "connector-2", KeyPurpose.RESULTS, connector, false);
        SigningKeys.put(j, "connector-1", KeyPurpose.RESULTS, oldConnector, false);
        j.setProperty("key.connector-1.retired", "true");
        jobKeys = SigningKeys.write(j, dir.resolve("job.keys"));
        connectorSide = signer("connector-2", connector, KeyPurpose.RESULTS, "c.keys");
    }

    private RecordSigning signer(String id, KeyPair pair, KeyPurpose purpose, String file)
            throws Exception {
        Properties p = new Properties();
        SigningKeys.put(p, id, purpose, pair, true);
        SigningKeys.put(p, "job-1", KeyPurpose.COMMANDS, job, false);
        return new RecordSigning(KeysFile.open(SigningKeys.write(p, dir.resolve(file))));
    }

    @Test
    void commandsLeaveTheJobSignedOverEveryField() throws Exception {
        CommandOut fence =
                new CommandOut(
                        "inc-c1-0001-0001",
                        "inc-c1-0001",
                        "FENCE_HOST",
                        "h1",
                        null,
                        null,
                        null,
                        null,
                        1,
                        null,
                        T0.toEpochMilli());
        Command signed =
                (Command)
                        CODEC.decode(
                                new OutputSerializer(jobKeys.toString())
                                        .serialize(new Emitted("c1", 1, fence), null, null)
                                        .value());
        assertThat(signed.getKeyId()).isEqualTo("job-1");
        assertThat(
                        connectorSide
                                .verify(
                                        signed,
                                        Instant.now(),
                                        java.time.Duration.ofMinutes(5),
                                        java.time.Duration.ofSeconds(30))
                                .valid())
                .isTrue();
        signed.setAttempt(2);
        assertThat(
                        connectorSide
                                .verify(
                                        signed,
                                        Instant.now(),
                                        java.time.Duration.ofMinutes(5),
                                        java.time.Duration.ofSeconds(30))
                                .reason())
                .contains("bad signature");

        // without keys (and in every replay, which has no sink at all): nothing added
        Command unsigned =
                (Command)
                        CODEC.decode(
                                new OutputSerializer()
                                        .serialize(new Emitted("c1", 1, fence), null, null)
                                        .value());
        assertThat(unsigned.getSignature()).isNull();
        assertThat(unsigned.getKeyId()).isNull();
        assertThat(unsigned.getSignedAt()).isNull();
    }

    @Test
    void aResultTheJobCannotVerifyIsADeadLetterTheEngineNeverSees() throws Exception {
        CommandResult genuine = connectorSide.sign(fenceSucceeded(), Instant.now());
        assertThat(decode(genuine).event()).isInstanceOf(CommandResultEvent.class);

        RecordSigning forger =
                signer("connector-2", SigningKeys.newKeyPair(), KeyPurpose.RESULTS, "f.keys");
        CommandResult forged = forger.sign(fenceSucceeded(), Instant.now());
        CommandResult altered = connectorSide.sign(fenceFailed(), Instant.now());
        altered.setStatus(CommandStatus.SUCCEEDED);
        CommandResult retired =
                signer("connector-1", oldConnector, KeyPurpose.RESULTS, "old.keys")
                        .sign(fenceSucceeded(), Instant.now());
        // the job's own key signs commands only: a result signed with it is refused too
        CommandResult wrongPurpose =
                new RecordSigning(KeysFile.open(jobKeysWithResultsSignedByJob()))
                        .sign(fenceSucceeded(), Instant.now());

        assertThat(reason(fenceSucceeded()))
                .isEqualTo(
                        DecodingDeserializer.UNVERIFIED_RESULT
                                + "unsigned (command inc-c1-0001-0001, SUCCEEDED, cluster c1)");
        assertThat(reason(forged)).contains("unverified result: bad signature (forged or altered)");
        assertThat(reason(altered)).contains("unverified result: bad signature");
        assertThat(reason(retired)).contains("unverified result: retired key connector-1");
        assertThat(reason(wrongPurpose)).contains("key job-1 signs commands, not results");
    }

    private Path jobKeysWithResultsSignedByJob() throws Exception {
        Properties p = new Properties();
        SigningKeys.put(p, "job-1", KeyPurpose.COMMANDS, job, true);
        p.setProperty("sign.results", "job-1");
        // a file that claims job-1 signs results is refused when read
        try {
            SigningKeys.parse(p, "test");
            throw new AssertionError("a key signs one purpose only");
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).contains("sign.results=job-1");
        }
        Properties q = new Properties();
        SigningKeys.put(q, "job-1", KeyPurpose.RESULTS, job, true);
        return SigningKeys.write(q, dir.resolve("confused.keys"));
    }

    @Test
    void anUnverifiedResultIsAlsoAnAlert() throws Exception {
        OutputTag<Emitted> bad = new OutputTag<>("dead-letters", Emitted.TYPE);
        Decoded forged = decode(fenceSucceeded());
        try (OneInputStreamOperatorTestHarness<Decoded, io.vmres.job.route.Hop> h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new RouteFunction(bad)))) {
            h.open();
            h.processElement(new StreamRecord<>(forged, 0));
            assertThat(h.extractOutputValues()).isEmpty(); // no engine sees it
            List<Object> side = new ArrayList<>();
            h.getSideOutput(bad).forEach(r -> side.add(r.getValue().line()));
            assertThat(side).hasSize(2);
            assertThat(side.get(0)).isEqualTo(forged.deadLetter());
            assertThat(side.get(1))
                    .isInstanceOfSatisfying(
                            AlertOut.class,
                            a -> {
                                assertThat(a.kind()).isEqualTo("RESULT_REJECTED");
                                assertThat(a.detail()).contains("unsigned", Topics.COMMAND_RESULTS);
                            });
        }
    }

    private static CommandResult fenceSucceeded() {
        return result(CommandStatus.SUCCEEDED);
    }

    private static CommandResult fenceFailed() {
        return result(CommandStatus.FAILED);
    }

    private static CommandResult result(CommandStatus status) {
        return CommandResult.newBuilder()
                .setCommandId("inc-c1-0001-0001")
                .setStatus(status)
                .setDetail("fenced")
                .setCluster("c1")
                .setHost("h1")
                .setTs(T0)
                .build();
    }

    private String reason(CommandResult r) {
        Decoded d = decode(r);
        assertThat(d.isBad()).as("refused: %s", r).isTrue();
        return d.deadLetter().getReason();
    }

    private Decoded decode(CommandResult r) {
        List<Decoded> out = new ArrayList<>();
        new DecodingDeserializer(1000, jobKeys.toString())
                .deserialize(
                        new ConsumerRecord<>(Topics.COMMAND_RESULTS, 0, 3L, null, CODEC.encode(r)),
                        new Collector<>() {
                            @Override
                            public void collect(Decoded d) {
                                out.add(d);
                            }

                            @Override
                            public void close() {}
                        });
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}
