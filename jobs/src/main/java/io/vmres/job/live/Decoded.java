package io.vmres.job.live;

import io.vmres.engine.event.Event;
import io.vmres.job.types.EventSerializer;
import io.vmres.job.types.ImmutableSerializer;
import io.vmres.job.types.SerializerTypeInfo;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.DeadLetter;
import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * One record read from an input topic: the event it holds, or the dead letter it became. For a
 * command result, {@code cluster} is the cluster of the command it answers. {@code partition} names
 * the Kafka partition it was read from ({@code topic-N}), or is null when unknown. {@code
 * appendStep} is 0 but on the record that is the first of a step back of its partition's append
 * time beyond the margin (the step, in ms) or the first past it (the append time the step held for,
 * negated): {@link AppendSteps}.
 */
public record Decoded(
        Event event, String cluster, DeadLetter deadLetter, String partition, long appendStep)
        implements Serializable {
    private static final long serialVersionUID = 3L;

    public static final TypeInformation<Decoded> TYPE =
            SerializerTypeInfo.of(Decoded.class, () -> Serializer.INSTANCE);

    public static Decoded event(Event event, String cluster) {
        return new Decoded(event, cluster, null, null, AppendSteps.NO_STEP);
    }

    public static Decoded bad(DeadLetter deadLetter) {
        return new Decoded(null, null, deadLetter, null, AppendSteps.NO_STEP);
    }

    /** The same record, read from {@code partition}. */
    public Decoded from(String partition) {
        return new Decoded(event, cluster, deadLetter, partition, appendStep);
    }

    /** The same record, telling the step of its partition's append time {@code step}. */
    public Decoded telling(long step) {
        return new Decoded(event, cluster, deadLetter, partition, step);
    }

    public boolean isBad() {
        return deadLetter != null;
    }

    /** Binary form: the step told, and the event with its cluster, or the dead letter in Avro. */
    public static final class Serializer extends ImmutableSerializer<Decoded> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();
        private transient AvroCodec codec;

        private AvroCodec codec() {
            if (codec == null) {
                codec = new AvroCodec();
            }
            return codec;
        }

        @Override
        public void serialize(Decoded d, DataOutputView out) throws IOException {
            out.writeBoolean(d.partition != null);
            if (d.partition != null) {
                out.writeUTF(d.partition);
            }
            out.writeLong(d.appendStep);
            out.writeBoolean(d.isBad());
            if (d.isBad()) {
                byte[] bytes = codec().encode(d.deadLetter);
                out.writeInt(bytes.length);
                out.write(bytes);
            } else {
                EventSerializer.INSTANCE.serialize(d.event, out);
                out.writeBoolean(d.cluster != null);
                if (d.cluster != null) {
                    out.writeUTF(d.cluster);
                }
            }
        }

        @Override
        public Decoded deserialize(DataInputView in) throws IOException {
            String partition = in.readBoolean() ? in.readUTF() : null;
            long step = in.readLong();
            if (in.readBoolean()) {
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                try {
                    return Decoded.bad((DeadLetter) codec().decode(bytes))
                            .from(partition)
                            .telling(step);
                } catch (AvroCodec.BadRecordException e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            Event event = EventSerializer.INSTANCE.deserialize(in);
            return Decoded.event(event, in.readBoolean() ? in.readUTF() : null)
                    .from(partition)
                    .telling(step);
        }

        @Override
        public TypeSerializerSnapshot<Decoded> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Decoded> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
