package io.vmres.schema;

import java.io.IOException;
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
          Admission.getClassSchema());

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
  }

  /** Encodes a generated vmres record. */
  public byte[] encode(SpecificRecord record) {
    BinaryMessageEncoder<SpecificRecord> enc = encoders.get(record.getClass());
    if (enc == null) {
      throw new IllegalArgumentException("not a vmres record: " + record.getClass().getName());
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
