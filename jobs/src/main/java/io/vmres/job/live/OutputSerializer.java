package io.vmres.job.live;

import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.ResultOut;
import io.vmres.job.Emitted;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes each decision of the engines to its topic, Avro single-object encoded. */
public final class OutputSerializer implements KafkaRecordSerializationSchema<Emitted> {
    private static final long serialVersionUID = 1L;

    private transient AvroCodec codec;

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Emitted e, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            codec = new AvroCodec();
        }
        String cluster = e.cluster();
        Object line = e.line();
        if (line instanceof CommandOut c) {
            // keyed by where the work happens, so that one target's commands stay in order
            String key = c.target() != null ? c.target() : c.host();
            return record(Topics.COMMANDS, key, DecisionRecords.command(c, cluster));
        } else if (line instanceof ResultOut r) {
            return record(Topics.COMMAND_RESULTS, cluster, DecisionRecords.result(r, cluster));
        } else if (line instanceof IncidentOut i) {
            return record(Topics.INCIDENTS, i.incidentId(), DecisionRecords.incident(i, cluster));
        } else if (line instanceof AlertOut a) {
            return record(Topics.ALERTS, cluster, DecisionRecords.alert(a, cluster));
        } else if (line instanceof AdmissionOut a) {
            return record(Topics.FLEET_STATE, cluster, DecisionRecords.admission(a));
        } else if (line instanceof HostStateOut h) {
            return record(Topics.FLEET_STATE, h.host(), DecisionRecords.hostState(h));
        } else if (line instanceof DeadLetterOut d) {
            DeadLetter dl =
                    DeadLetter.newBuilder()
                            .setSource("engine/" + cluster)
                            .setLine(d.line())
                            .setReason(d.reason())
                            .setRaw(d.raw())
                            .setTs(Instant.ofEpochMilli(timestamp == null ? 0 : timestamp))
                            .build();
            return record(Topics.DEAD_LETTER, cluster, dl);
        } else if (line instanceof DeadLetter dl) {
            return record(Topics.DEAD_LETTER, dl.getSource(), dl);
        }
        throw new IllegalArgumentException("no topic for " + line.getClass().getName());
    }

    private ProducerRecord<byte[], byte[]> record(String topic, String key, SpecificRecord value) {
        return new ProducerRecord<>(
                topic,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                codec.encode(value));
    }
}
