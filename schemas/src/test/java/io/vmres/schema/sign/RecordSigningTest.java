package io.vmres.schema.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The canonical form, signatures over it, and keys files. */
class RecordSigningTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration AGE = Duration.ofMinutes(5);
    private static final Duration SKEW = Duration.ofSeconds(30);

    @TempDir Path dir;

    private RecordSigning signing(Properties p, String name) throws Exception {
        return new RecordSigning(KeysFile.open(SigningKeys.write(p, dir.resolve(name))));
    }

    private static Command restart() {
        return Command.newBuilder()
                .setCommandId("inc-c1-0001-0003")
                .setIncidentId("inc-c1-0001")
                .setAction(Action.RESTART_VM)
                .setHost("h1")
                .setTarget("h9")
                .setVm("vm7")
                .setAttempt(1)
                .setPriority(500)
                .setCluster("c1")
                .setTs(T0)
                .build();
    }

    @Test
    void everyFieldIsSignedAndAnyChangeBreaksTheSignature() throws Exception {
        RecordSigning s = signing(SigningKeys.generateForOneMachine(), "k");
        Command signed = s.sign(restart(), T0);
        assertThat(s.verify(signed, T0, AGE, SKEW)).isEqualTo(Verdict.VALID);
        // through Avro and back: still valid
        Command read = (Command) new AvroCodec().decode(new AvroCodec().encode(signed));
        assertThat(s.verify(read, T0, AGE, SKEW).valid()).isTrue();

        List<java.util.function.Consumer<Command>> changes =
                List.of(
                        c -> c.setTarget("h8"),
                        c -> c.setVm("vm8"),
                        c -> c.setAttempt(2),
                        c -> c.setPriority(501),
                        c -> c.setCluster("c2"),
                        c -> c.setTs(T0.plusMillis(1)),
                        c -> c.setAction(Action.LIVE_MIGRATE_VM),
                        c -> c.setVms(List.of("vm7")),
                        c -> c.setSignedAt(T0.minusSeconds(1)),
                        c -> c.setKeyId("connector-1"));
        for (var change : changes) {
            Command c = Command.newBuilder(signed).build();
            change.accept(c);
            assertThat(s.verify(c, T0, AGE, SKEW).valid()).as("%s", c).isFalse();
        }
    }

    @Test
    void ageAndClockSkewAreChecked() throws Exception {
        RecordSigning s = signing(SigningKeys.generateForOneMachine(), "k");
        Command c = s.sign(restart(), T0);
        assertThat(s.verify(c, T0.plus(AGE).plus(SKEW), AGE, SKEW).valid()).isTrue();
        assertThat(s.verify(c, T0.plus(AGE).plus(SKEW).plusMillis(1), AGE, SKEW).reason())
                .startsWith("stale");
        assertThat(s.verify(c, T0.minus(SKEW), AGE, SKEW).valid()).isTrue();
        assertThat(s.verify(c, T0.minus(SKEW).minusMillis(1), AGE, SKEW).reason())
                .startsWith("signed in the future");
    }

    @Test
    void aCommandSignatureIsNeverAResultSignature() throws Exception {
        RecordSigning s = signing(SigningKeys.generateForOneMachine(), "k");
        CommandResult r =
                s.sign(
                        CommandResult.newBuilder()
                                .setCommandId("x")
                                .setStatus(CommandStatus.SUCCEEDED)
                                .setTs(T0)
                                .build(),
                        T0);
        assertThat(r.getKeyId()).isEqualTo("connector-1");
        assertThat(s.verify(r).valid()).isTrue();
        // a result whose key id names the command key, with the command key's signature bytes
        Command c = s.sign(restart(), T0);
        r.setKeyId(c.getKeyId());
        r.setSignature(c.getSignature());
        assertThat(s.verify(r).reason()).isEqualTo("key job-1 signs commands, not results");
    }

    @Test
    void keysFilesAreCheckedWhenRead() throws Exception {
        KeyPair a = SigningKeys.newKeyPair();
        KeyPair b = SigningKeys.newKeyPair();
        Properties two = new Properties();
        SigningKeys.put(two, "job-1", KeyPurpose.COMMANDS, a, true);
        SigningKeys.put(two, "job-2", KeyPurpose.COMMANDS, b, true);
        assertThatThrownBy(() -> SigningKeys.parse(two, "f"))
                .hasMessageContaining("name the one to sign with: sign.commands=ID");
        two.setProperty("sign.commands", "job-2");
        assertThat(SigningKeys.parse(two, "f").signingKeyId(KeyPurpose.COMMANDS))
                .isEqualTo("job-2");

        Properties mismatched = new Properties();
        SigningKeys.put(mismatched, "job-1", KeyPurpose.COMMANDS, a, false);
        mismatched.setProperty(
                "key.job-1.private",
                java.util.Base64.getEncoder().encodeToString(b.getPrivate().getEncoded()));
        assertThatThrownBy(() -> SigningKeys.parse(mismatched, "f"))
                .hasMessageContaining("the private key is not the public key's");

        Properties garbage = new Properties();
        garbage.setProperty("key.job-1.signs", "commands");
        garbage.setProperty("key.job-1.public", "bm90IGEga2V5");
        assertThatThrownBy(() -> SigningKeys.parse(garbage, "f"))
                .hasMessageContaining("not an Ed25519 key");
        Properties typo = new Properties();
        typo.setProperty("key.job-1.sings", "commands");
        assertThatThrownBy(() -> SigningKeys.parse(typo, "f"))
                .hasMessageContaining("unknown field sings");
        Properties badPurpose = new Properties();
        SigningKeys.put(badPurpose, "job-1", KeyPurpose.COMMANDS, a, false);
        badPurpose.setProperty("key.job-1.signs", "everything");
        assertThatThrownBy(() -> SigningKeys.parse(badPurpose, "f"))
                .hasMessageContaining("signs must be commands or results");
        assertThatThrownBy(() -> KeysFile.open(dir.resolve("missing")))
                .hasMessageContaining("cannot read the keys file");
    }

    @Test
    void aChangedKeysFileIsReadAgain() throws Exception {
        KeyPair a = SigningKeys.newKeyPair();
        Properties p = new Properties();
        SigningKeys.put(p, "job-1", KeyPurpose.COMMANDS, a, true);
        Path file = SigningKeys.write(p, dir.resolve("k"));
        KeysFile keys = KeysFile.open(file);
        RecordSigning s = new RecordSigning(keys);
        Command c = s.sign(restart(), T0);
        assertThat(s.verify(c, T0, AGE, SKEW).valid()).isTrue();
        p.setProperty("key.job-1.retired", "true");
        p.remove("key.job-1.private");
        SigningKeys.write(p, file);
        keys.reload();
        assertThat(s.verify(c, T0, AGE, SKEW).reason()).isEqualTo("retired key job-1");
        // a file broken on the way keeps the keys read before
        Files.writeString(file, "key.job-1.signs=nonsense\n");
        Files.setLastModifiedTime(
                file, java.nio.file.attribute.FileTime.from(Instant.now().plusSeconds(60)));
        assertThatThrownBy(keys::reload).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCommandOfTheFirstSchemaVersionDecodesUnsigned() throws Exception {
        Schema old = AvroCodec.history("Command-1");
        assertThat(old.getField("signature")).isNull();
        GenericRecord w = new GenericData.Record(old);
        java.util.Map.of(
                        "commandId", "c-1",
                        "incidentId", "inc-1",
                        "host", "h1",
                        "attempt", 1,
                        "ts", T0.toEpochMilli())
                .forEach(w::put);
        w.put("action", new GenericData.EnumSymbol(old.getField("action").schema(), "FENCE_HOST"));
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old).encode(w).array();
        Command read = (Command) new AvroCodec().decode(bytes);
        assertThat(read.getHost()).isEqualTo("h1");
        assertThat(read.getSignature()).isNull();
        RecordSigning s = signing(SigningKeys.generateForOneMachine(), "k");
        assertThat(s.verify(read, T0, AGE, SKEW).reason()).isEqualTo("unsigned");
    }
}
