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
 */
public record Routed(String cluster, Event event, long endTs) {
    public static final TypeInformation<Routed> TYPE =
            SerializerTypeInfo.of(Routed.class, () -> Serializer.INSTANCE);

    public static Routed of(String cluster, Event event) {
        return new Routed(cluster, event, Long.MIN_VALUE);
    }

    public static Routed end(String cluster, long endTs) {
        return new Routed(cluster, null, endTs);
    }

    public boolean isEnd() {
        return event == null;
    }

    /** Binary form: the cluster, then the event or the end time. */
    public static final class Serializer extends ImmutableSerializer<Routed> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public void serialize(Routed r, DataOutputView out) throws IOException {
            out.writeUTF(r.cluster);
            out.writeBoolean(r.event != null);
            if (r.event != null) {
                EventSerializer.INSTANCE.serialize(r.event, out);
            } else {
                out.writeLong(r.endTs);
            }
        }

        @Override
        public Routed deserialize(DataInputView in) throws IOException {
            String cluster = in.readUTF();
            return in.readBoolean()
                    ? Routed.of(cluster, EventSerializer.INSTANCE.deserialize(in))
                    : Routed.end(cluster, in.readLong());
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
