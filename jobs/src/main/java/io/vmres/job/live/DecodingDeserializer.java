package io.vmres.job.live;

import io.vmres.schema.AvroCodec;
import io.vmres.schema.CommandResult;
import io.vmres.schema.DeadLetter;
import java.time.Instant;
import java.util.Base64;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the raw bytes of an input topic and decodes them; a record that does not decode, or holds a
 * value the spec forbids, becomes a dead letter with its reason instead of failing the job.
 */
public final class DecodingDeserializer implements KafkaRecordDeserializationSchema<Decoded> {
    private static final long serialVersionUID = 1L;

    private transient AvroCodec codec;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded> out) {
        if (codec == null) {
            codec = new AvroCodec();
        }
        String source = record.topic() + "/" + record.partition() + "@" + record.offset();
        try {
            SpecificRecord decoded = codec.decode(record.value());
            String cluster = decoded instanceof CommandResult r ? r.getCluster() : null;
            out.collect(Decoded.event(AvroEvents.toEvent(decoded, record.offset()), cluster));
        } catch (AvroCodec.BadRecordException | AvroEvents.InvalidEventException e) {
            out.collect(Decoded.bad(deadLetter(source, record, e.getMessage())));
        }
    }

    static DeadLetter deadLetter(
            String source, ConsumerRecord<byte[], byte[]> record, String reason) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        return DeadLetter.newBuilder()
                .setSource(source)
                .setLine(record.offset())
                .setReason(reason)
                .setRaw(Base64.getEncoder().encodeToString(value))
                .setTs(Instant.ofEpochMilli(Math.max(0, record.timestamp())))
                .build();
    }

    @Override
    public TypeInformation<Decoded> getProducedType() {
        return Decoded.TYPE;
    }
}
