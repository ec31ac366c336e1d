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
    public static final List<String> HISTORY = List.of("Incident-1");

    private static final byte MAGIC_0 = (byte) 0xC3;
    private static final byte MAGIC_1 = (byte) 0x01;
    private static final int HEADER = 10;

    private final Map<Long, BinaryMessageDecoder<SpecificRecord>> decoders = new HashMap<>();
    private final Map<Class<?>, BinaryMessageEncoder<SpecificRecord>> encoders = new HashMap<>();

    public AvroCodec() {
        SpecificData model = SpecificData.get();
        for (Schema schema : SCHEMAS) {
            long fp = SchemaNormalization.parsingFingerprint64(schema);
            decoders.put(fp, new BinaryMessageDecoder<>(model, schema));
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
     * Decodes bytes of any vmres record type.
     *
     * @throws BadRecordException with a reason an operator can act on, when the bytes are not one
     */
    public SpecificRecord decode(byte[] bytes) throws BadRecordException {
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
