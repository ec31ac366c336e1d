package io.vmres.job;

import io.vmres.engine.event.Event;
import io.vmres.job.types.EventSerializer;
import io.vmres.job.types.ImmutableSerializer;
import io.vmres.job.types.SerializerTypeInfo;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An input event on its way to the engine of one cluster, or, with no event, the end of the input
 * at {@code endTs} (the latest on-time event time of a recording).
 *
 * @param earlier an event from before the cluster was first seen (a sim-fault, the latest reading
 *     of a power domain), handed to a cluster seen later: an engine that has not run yet applies it
 *     at its own instant, however far behind the watermark
 */
public record Routed(String cluster, Event event, long endTs, boolean earlier) {
    public static final TypeInformation<Routed> TYPE =
            SerializerTypeInfo.of(Routed.class, () -> Serializer.INSTANCE);

    public static Routed of(String cluster, Event event) {
        return new Routed(cluster, event, Long.MIN_VALUE, false);
    }

    /** An event from before the cluster was first seen. */
    public static Routed earlier(String cluster, Event event) {
        return new Routed(cluster, event, Long.MIN_VALUE, true);
    }

    public static Routed end(String cluster, long endTs) {
        return new Routed(cluster, null, endTs, false);
    }

    public boolean isEnd() {
        return event == null;
    }

    /**
     * Binary form: the cluster, a tag (0 the end, 1 an event, 2 an earlier event), then the event
     * or the end time. Tags 0 and 1 are the boolean of the first form, which health-rule state
     * holds.
     */
    public static final class Serializer extends ImmutableSerializer<Routed> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();
        private static final byte END = 0;
        private static final byte EVENT = 1;
        private static final byte EARLIER = 2;

        @Override
        public void serialize(Routed r, DataOutputView out) throws IOException {
            out.writeUTF(r.cluster);
            out.writeByte(r.event == null ? END : r.earlier ? EARLIER : EVENT);
            if (r.event != null) {
                EventSerializer.INSTANCE.serialize(r.event, out);
            } else {
                out.writeLong(r.endTs);
            }
        }

        @Override
        public Routed deserialize(DataInputView in) throws IOException {
            String cluster = in.readUTF();
            byte tag = in.readByte();
            return switch (tag) {
                case END -> Routed.end(cluster, in.readLong());
                case EVENT -> Routed.of(cluster, EventSerializer.INSTANCE.deserialize(in));
                case EARLIER -> Routed.earlier(cluster, EventSerializer.INSTANCE.deserialize(in));
                default -> throw new IOException("unknown routed tag " + tag);
            };
        }

        @Override
        public TypeSerializerSnapshot<Routed> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Routed> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
