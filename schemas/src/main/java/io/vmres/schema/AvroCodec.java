package io.vmres.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding (marker {@code C3 01}, the schema's 64-bit fingerprint, then the
 * binary body) for every vmres record. The fingerprint tells the type, so one topic may carry
 * several record types (the inventory topic carries hosts and VMs) without a schema registry.
 */
public final class AvroCodec {
    /** Every record type vmres writes or reads on Kafka. */
    public static final List<Schema> SCHEMAS =
            List.of(
                    Host.getClassSchema(),
                    HostRemoved.getClassSchema(),
                    Vm.getClassSchema(),
                    VmRemoved.getClassSchema(),
                    Heartbeat.getClassSchema(),
                    Power.getClassSchema(),
                    Health.getClassSchema(),
                    Maintenance.getClassSchema(),
                    MaintenanceEnd.getClassSchema(),
                    OperatorConfirm.getClassSchema(),
                    Command.getClassSchema(),
                    CommandResult.getClassSchema(),
                    Incident.getClassSchema(),
                    Alert.getClassSchema(),
                    DeadLetter.getClassSchema(),
                    HostState.getClassSchema(),
                    Admission.getClassSchema(),
                    PowerDomain.getClassSchema());

    /**
     * Earlier versions of the schemas, still read: a record written by an earlier vmres decodes
     * into the current class (fields added since take their defaults). Each is a full schema in
     * {@code history/NAME-VERSION.avsc} beside this class; a schema change adds the version it
     * replaces here.
     */
    public static final List<String> HISTORY =
            List.of("Incident-1", "DeadLetter-1", "Command-1", "CommandResult-1");

    /**
     * The largest record vmres decodes: the spec's bound on a recording line (1,048,576
     * characters), applied to a record's bytes. A larger one is refused before it is read.
     */
    public static final int MAX_RECORD_BYTES = 1_048_576;

    static {
        // Avro's own limits, for every decoder of this JVM that starts after this class: no
        // string, bytes or collection beyond a record's size. Avro reads them once, when its
        // SystemLimitException class loads, so a JVM that decoded Avro before keeps its own;
        // decode() below checks every length itself in any case.
        for (String key :
                List.of(
                        "org.apache.avro.limits.string.maxLength",
                        "org.apache.avro.limits.bytes.maxLength",
                        "org.apache.avro.limits.collectionItems.maxLength")) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, Integer.toString(MAX_RECORD_BYTES));
            }
        }
    }

    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;
    private static final int HEADER = 10;

    private final Map<Long, BinaryMessageDecoder<SpecificRecord>> decoders = new HashMap<>();
    private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new HashMap<>();

    /** The schema each fingerprint was written with: the one its bytes are walked along. */
    private final Map<Long, Schema> writers = new HashMap<>();

    public AvroCodec() {
        SpecificData model = SpecificData.get();
        for (Schema schema : SCHEMAS) {
            long fp = SchemaNormalization.parsingFingerprint64(schema);
            decoders.put(fp, new BinaryMessageDecoder<>(model, schema));
            writers.put(fp, schema);
            encoders.put(model.getClass(schema), new BinaryMessageEncoder<>(model, schema));
        }
        for (String version : HISTORY) {
            Schema old = history(version);
            Schema current =
                    SCHEMAS.stream()
                            .filter(s -> s.getFullName().equals(old.getFullName()))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "no current schema for " + version));
            BinaryMessageDecoder<SpecificRecord> dec =
                    decoders.get(SchemaNormalization.parsingFingerprint64(current));
            dec.addSchema(old);
            decoders.put(SchemaNormalization.parsingFingerprint64(old), dec);
            writers.put(SchemaNormalization.parsingFingerprint64(old), old);
        }
    }

    /** An earlier version of a schema, from {@link #HISTORY}. */
    public static Schema history(String version) {
        String path = "history/" + version + ".avsc";
        try (InputStream in = AvroCodec.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing schema resource " + path);
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read schema resource " + path, e);
        }
    }

    /** Encodes a generated vmres record. */
    public byte[] encode(SpecificRecord record) {
        BinaryMessageEncoder<SpecificRecord> enc = encoders.get(record.getClass());
        if (enc == null) {
            throw new IllegalArgumentException(
                    "not a vmres record: " + record.getClass().getName());
        }
        try {
            ByteBuffer buf = enc.encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + record.getSchema().getName(), e);
        }
    }

    /**
     * Decodes bytes of any vmres record type, at most {@link #MAX_RECORD_BYTES} of them. Every
     * length inside is checked against the bytes that hold it before Avro reads it, so no record
     * can make the decoder allocate more than its own size.
     *
     * @throws BadRecordException with a reason an operator can act on, when the bytes are not one
     */
    public SpecificRecord decode(byte[] bytes) throws BadRecordException {
        if (bytes != null && bytes.length > MAX_RECORD_BYTES) {
            throw new BadRecordException(
                    "record of " + bytes.length + " bytes, over " + MAX_RECORD_BYTES);
        }
        if (bytes == null || bytes.length < HEADER) {
            throw new BadRecordException("too short for Avro single-object encoding");
        }
        if (bytes[0] != MAGIC_0 || bytes[1] != MAGIC_1) {
            throw new BadRecordException("no Avro single-object marker (C3 01)");
        }
        long fp = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        BinaryMessageDecoder<SpecificRecord> dec = decoders.get(fp);
        if (dec == null) {
            throw new BadRecordException(String.format("unknown schema fingerprint %016x", fp));
        }
        try {
            BoundedBody.check(writers.get(fp), bytes, HEADER);
        } catch (BadRecordException e) {
            throw new BadRecordException("undecodable body: " + e.getMessage());
        }
        try {
            return dec.decode(bytes);
        } catch (IOException | RuntimeException e) {
            throw new BadRecordException("undecodable body: " + e.getMessage());
        }
    }

    /** A record that is not a decodable vmres record; the message is the dead-letter reason. */
    public static final class BadRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRecordException(String reason) {
            super(reason);
        }
    }
}
