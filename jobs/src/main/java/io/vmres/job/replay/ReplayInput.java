package io.vmres.job.replay;

import io.vmres.job.route.Hop;
import io.vmres.job.types.ImmutableSerializer;
import io.vmres.job.types.SerializerTypeInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * What the recording source emits: an event on its way to the routing stages (or the end of the
 * input), or a line that goes straight to the outputs (a dead letter, a late-event alert, the
 * reader's final counters).
 */
public record ReplayInput(Hop hop, Serializable side) {
    public static final TypeInformation<ReplayInput> TYPE =
            SerializerTypeInfo.of(ReplayInput.class, () -> Serializer.INSTANCE);

    public static ReplayInput hop(Hop h) {
        return new ReplayInput(h, null);
    }

    public static ReplayInput side(Serializable line) {
        return new ReplayInput(null, line);
    }

    /** Events in their compact form; the rare side lines with Java serialization. */
    public static final class Serializer extends ImmutableSerializer<ReplayInput> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public void serialize(ReplayInput r, DataOutputView out) throws IOException {
            out.writeBoolean(r.hop != null);
            if (r.hop != null) {
                Hop.Serializer.INSTANCE.serialize(r.hop, out);
                return;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
                o.writeObject(r.side);
            }
            out.writeInt(bytes.size());
            out.write(bytes.toByteArray());
        }

        @Override
        public ReplayInput deserialize(DataInputView in) throws IOException {
            if (in.readBoolean()) {
                return hop(Hop.Serializer.INSTANCE.deserialize(in));
            }
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            try (ObjectInputStream o = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
                return side((Serializable) o.readObject());
            } catch (ClassNotFoundException e) {
                throw new IOException(e);
            }
        }

        @Override
        public TypeSerializerSnapshot<ReplayInput> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<ReplayInput> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
