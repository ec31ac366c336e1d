package io.vmres.job.live;

import io.vmres.engine.ClockRule;
import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Events;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.CommandResult;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.DeadLetters;
import io.vmres.schema.Topics;
import io.vmres.schema.sign.KeysFile;
import io.vmres.schema.sign.RecordSigning;
import io.vmres.schema.sign.Verdict;
import java.nio.file.Path;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;

/**
 * Reads the raw bytes of an input topic and decodes them; a record that does not decode, or holds a
 * value the spec forbids, becomes a dead letter with its reason instead of failing the job.
 *
 * <p>The spec's Wrong clocks rule is applied here, before any watermark sees the event: on a topic
 * whose records carry the broker's append time ({@code message.timestamp.type=LogAppendTime}), that
 * time is the event's {@code recvTs}, and an event stamped more than {@code maxClockSkew} away from
 * it takes it as its event time. On a topic of producer timestamps nothing is known of arrival, and
 * the event's own time stands. A retimed event is followed by a {@link ClockSkew} note, from which
 * the engine of the host's cluster writes its {@code CLOCK_SKEW} alert.
 *
 * <p>With an {@code appendTimeMargin}, a partition whose append time steps back beyond it holds
 * ({@link AppendSteps}): its events take no earlier a time than its greatest append time less
 * {@code maxClockSkew}, so that they come after its held watermark and are applied, not dropped as
 * late; no {@link ClockSkew} note is written for them (the broker's clock is the one in doubt, not
 * the hosts'). The first record of the step and the first past it tell it ({@link
 * Decoded#appendStep()}).
 */
public final class DecodingDeserializer implements KafkaRecordDeserializationSchema<Decoded> {
    private static final long serialVersionUID = 2L;

    /** How the dead letter of a result that could not be verified begins. */
    public static final String UNVERIFIED_RESULT = "unverified result: ";

    private final ClockRule clocks;
    private final String signingKeys;

    /** The margin of append time steps back (negative: steps back are not held). */
    private final long appendTimeMarginMs;

    private transient AppendSteps steps;
    private transient AvroCodec codec;
    private transient RecordSigning signing;
    private transient Reads reads;

    /**
     * Told of each record read, decoded or not: its partition ({@code topic-N}), offset and append
     * time (the broker's, on a topic of {@code LogAppendTime}; else {@link ClockRule#NO_RECV_TS}).
     */
    public interface Reads {
        void read(String partition, long offset, long appendTs);
    }

    /** Results believed unsigned. */
    public DecodingDeserializer(long maxClockSkewMs) {
        this(maxClockSkewMs, null);
    }

    /**
     * Results read only when signed by a key that signs results in the keys file {@code
     * signingKeys} (null: believed unsigned).
     */
    public DecodingDeserializer(long maxClockSkewMs, String signingKeys) {
        this(maxClockSkewMs, signingKeys, -1);
    }

    /**
     * As {@link #DecodingDeserializer(long, String)}; a partition whose append time steps back
     * further than {@code appendTimeMarginMs} holds (negative: none does, as on topics of producer
     * timestamps).
     */
    public DecodingDeserializer(long maxClockSkewMs, String signingKeys, long appendTimeMarginMs) {
        this.clocks = new ClockRule(maxClockSkewMs);
        this.signingKeys = signingKeys;
        this.appendTimeMarginMs = appendTimeMarginMs;
    }

    /** Tells {@code reads} of every record read from now on (this copy of the deserializer). */
    void countReads(Reads reads) {
        this.reads = reads;
        // the reader's generators, made on this thread, tell where their ends move them
        InputWatermarks.readerSteps(steps());
    }

    /** The steps back of append time held (null: none are, no margin given). */
    private AppendSteps steps() {
        if (steps == null && appendTimeMarginMs >= 0) {
            steps = new AppendSteps(clocks.maxClockSkewMs(), appendTimeMarginMs);
        }
        return steps;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Decoded> out) {
        String partition = record.topic() + "-" + record.partition();
        long recvTs =
                record.timestampType() == TimestampType.LOG_APPEND_TIME
                        ? record.timestamp()
                        : ClockRule.NO_RECV_TS;
        if (reads != null) {
            reads.read(partition, record.offset(), recvTs);
        }
        AppendSteps.Read step =
                steps() == null ? AppendSteps.Read.NONE : steps.read(partition, recvTs);
        if (codec == null) {
            codec = new AvroCodec();
            if (signingKeys != null) {
                signing = new RecordSigning(KeysFile.open(Path.of(signingKeys)));
            }
        }
        String source = record.topic() + "/" + record.partition() + "@" + record.offset();
        try {
            SpecificRecord decoded = codec.decode(record.value());
            if (!Topics.carries(record.topic(), decoded)) {
                throw new AvroEvents.InvalidEventException(
                        "a "
                                + decoded.getSchema().getName()
                                + " record does not belong on "
                                + record.topic());
            }
            String cluster = decoded instanceof CommandResult r ? r.getCluster() : null;
            if (signing != null && decoded instanceof CommandResult r) {
                // Before the engine sees it: a forged SUCCEEDED fence must move nothing. No age
                // limit: after a restore the job reads results again that may be hours old.
                Verdict v = signing.verify(r);
                if (!v.valid()) {
                    throw new AvroEvents.InvalidEventException(
                            UNVERIFIED_RESULT
                                    + v.reason()
                                    + " (command "
                                    + r.getCommandId()
                                    + ", "
                                    + r.getStatus()
                                    + ", cluster "
                                    + cluster
                                    + ")");
                }
            }
            Event event = AvroEvents.toEvent(decoded, record.offset());
            ClockSkew skew = null;
            if (step.holding()) {
                // appended by a clock behind the partition's: at its held instant or after
                long ts = Math.max(clocks.effectiveTs(event.ts(), recvTs), step.floorTs());
                if (ts != event.ts()) {
                    event = Events.at(event, ts);
                }
            } else if (clocks.isSkewed(event.ts(), recvTs)) {
                long claimed = event.ts();
                event = Events.at(event, recvTs);
                skew = ClockSkew.of(event, claimed);
            }
            out.collect(Decoded.event(event, cluster).from(partition).telling(step.step()));
            if (skew != null) {
                // the engine of the host's cluster tells the operator (CLOCK_SKEW), as in a replay
                out.collect(Decoded.event(skew, null).from(partition));
            }
        } catch (AvroCodec.BadRecordException | AvroEvents.InvalidEventException e) {
            out.collect(
                    Decoded.bad(deadLetter(source, record, e.getMessage())).telling(step.step()));
        } catch (RuntimeException e) {
            // No record may fail the job (a restart would read it again, for ever): whatever
            // slipped past the checks above is bad input too.
            out.collect(
                    Decoded.bad(deadLetter(source, record, "undecodable: " + e))
                            .telling(step.step()));
        }
    }

    static DeadLetter deadLetter(
            String source, ConsumerRecord<byte[], byte[]> record, String reason) {
        return DeadLetters.of(
                source,
                record.offset(),
                reason,
                record.value(),
                Instant.ofEpochMilli(Math.max(0, record.timestamp())));
    }

    @Override
    public TypeInformation<Decoded> getProducedType() {
        return Decoded.TYPE;
    }
}
