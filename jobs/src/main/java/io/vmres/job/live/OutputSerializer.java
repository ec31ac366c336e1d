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
import io.vmres.schema.Command;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.Topics;
import io.vmres.schema.sign.KeyPurpose;
import io.vmres.schema.sign.KeysFile;
import io.vmres.schema.sign.RecordSigning;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes each decision of the engines to its topic, Avro single-object encoded. With a keys file,
 * every command is signed here, at the edge of the job (signing time from the wall clock): the
 * engines and their replays never see a key, and a replay stays byte-identical.
 */
public final class OutputSerializer implements KafkaRecordSerializationSchema<Emitted> {
    private static final long serialVersionUID = 2L;

    private final String signingKeys;
    private transient AvroCodec codec;
    private transient RecordSigning signing;

    /** Commands unsigned. */
    public OutputSerializer() {
        this(null);
    }

    /** Commands signed with the key that signs commands in the keys file {@code signingKeys}. */
    public OutputSerializer(String signingKeys) {
        this.signingKeys = signingKeys;
    }

    @Override
    public void open(
            SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        init();
    }

    /** Opened by the sink; by the first record otherwise: never a command unsigned by mistake. */
    private void init() {
        codec = new AvroCodec();
        if (signingKeys != null) {
            signing = new RecordSigning(KeysFile.open(Path.of(signingKeys)));
            if (signing.keys().current().signingKeyId(KeyPurpose.COMMANDS) == null) {
                throw new IllegalStateException(
                        signingKeys + " holds no private key that signs commands");
            }
        }
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            Emitted e, KafkaSinkContext context, Long timestamp) {
        if (codec == null) {
            init();
        }
        String cluster = e.cluster();
        Object line = e.line();
        if (line instanceof CommandOut c) {
            // keyed by where the work happens, so that one target's commands stay in order
            String key = c.target() != null ? c.target() : c.host();
            Command command = DecisionRecords.command(c, cluster);
            if (signing != null) {
                command = signing.sign(command, Instant.now());
            }
            return record(Topics.COMMANDS, key, command);
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
