package io.vmres.schema.sign;

import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Signs and verifies commands (signed by the job) and results (signed by connectors): an Ed25519
 * signature over the {@link Canonical} form of every other field, the key id and the signing time
 * included.
 */
public final class RecordSigning {
    static final String COMMAND_TAG = "vmres/Command/1";
    static final String RESULT_TAG = "vmres/CommandResult/1";

    private final KeysFile keys;

    public RecordSigning(KeysFile keys) {
        this.keys = keys;
    }

    public KeysFile keys() {
        return keys;
    }

    /** {@code c} signed at {@code now} with the newest key that signs commands. */
    public Command sign(Command c, Instant now) {
        SigningKeys k = keys.current();
        Command s = Command.newBuilder(c).setSignature(null).build();
        s.setKeyId(k.signingKeyId(KeyPurpose.COMMANDS));
        s.setSignedAt(now);
        s.setSignature(ByteBuffer.wrap(k.sign(KeyPurpose.COMMANDS, Canonical.of(COMMAND_TAG, s))));
        return s;
    }

    /** {@code r} signed at {@code now} with the newest key that signs results. */
    public CommandResult sign(CommandResult r, Instant now) {
        SigningKeys k = keys.current();
        CommandResult s = CommandResult.newBuilder(r).setSignature(null).build();
        s.setKeyId(k.signingKeyId(KeyPurpose.RESULTS));
        s.setSignedAt(now);
        s.setSignature(ByteBuffer.wrap(k.sign(KeyPurpose.RESULTS, Canonical.of(RESULT_TAG, s))));
        return s;
    }

    /**
     * Whether a command may run at {@code now}: signed by a valid key that signs commands,
     * unaltered, signed no longer than {@code maxAge} ago nor later than {@code skew} ahead (clocks
     * differ by up to {@code skew} either way).
     */
    public Verdict verify(Command c, Instant now, Duration maxAge, Duration skew) {
        Verdict v = verify(KeyPurpose.COMMANDS, COMMAND_TAG, c, c.getKeyId(), c.getSignature());
        if (!v.valid()) {
            return v;
        }
        Instant at = c.getSignedAt();
        if (at.isAfter(now.plus(skew))) {
            return Verdict.refused("signed in the future: at " + at + ", now " + now);
        }
        if (at.isBefore(now.minus(maxAge).minus(skew))) {
            return Verdict.refused(
                    "stale: signed at " + at + ", older than " + maxAge + " at " + now);
        }
        return Verdict.VALID;
    }

    /** Whether a result may be believed: signed by a valid key that signs results, unaltered. */
    public Verdict verify(CommandResult r) {
        return verify(KeyPurpose.RESULTS, RESULT_TAG, r, r.getKeyId(), r.getSignature());
    }

    private Verdict verify(
            KeyPurpose purpose, String tag, SpecificRecord r, String keyId, ByteBuffer signature) {
        if (signature == null
                || keyId == null
                || r.get(r.getSchema().getField("signedAt").pos()) == null) {
            return Verdict.refused("unsigned");
        }
        ByteBuffer d = signature.duplicate();
        byte[] sig = new byte[d.remaining()];
        d.get(sig);
        return keys.current().verify(purpose, keyId, Canonical.of(tag, r), sig);
    }
}
