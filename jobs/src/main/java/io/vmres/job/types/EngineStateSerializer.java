package io.vmres.job.types;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.state.EngineState;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Checkpoints a cluster engine in the compact form of {@link EngineState} (version 2 on): each
 * value is its length, then the state with its leading format version. State of version 1 (Java
 * serialization, {@link EngineSerializer}) is read by that serializer and written again in this
 * form: see {@link Snapshot#resolveSchemaCompatibility}.
 */
public final class EngineStateSerializer extends TypeSerializer<ClusterEngine> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<ClusterEngine> duplicate() {
        return this; // stateless
    }

    @Override
    public ClusterEngine createInstance() {
        return null;
    }

    @Override
    public ClusterEngine copy(ClusterEngine from) {
        try {
            return fromBytes(toBytes(from));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy a cluster engine", e);
        }
    }

    @Override
    public ClusterEngine copy(ClusterEngine from, ClusterEngine reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ClusterEngine record, DataOutputView target) throws IOException {
        byte[] bytes = toBytes(record);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public ClusterEngine deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return fromBytes(bytes);
    }

    @Override
    public ClusterEngine deserialize(ClusterEngine reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        int n = source.readInt();
        target.writeInt(n);
        target.write(source, n);
    }

    @Override
    public boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public TypeSerializerSnapshot<ClusterEngine> snapshotConfiguration() {
        return new Snapshot();
    }

    static byte[] toBytes(ClusterEngine engine) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4096);
        EngineState.write(engine, out);
        return out.getCopyOfBuffer();
    }

    static ClusterEngine fromBytes(byte[] bytes) throws IOException {
        return EngineState.read(new DataInputDeserializer(bytes));
    }

    /**
     * The serializer's snapshot: the format version it writes. Its own versions, and the snapshot
     * of version 1 ({@link EngineSerializer.Snapshot}), restore a serializer that reads what they
     * wrote.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<ClusterEngine> {
        /** The version of this snapshot's own bytes (one int: the state format version). */
        private static final int SNAPSHOT_VERSION = 1;

        private int format = EngineState.VERSION;

        public Snapshot() {}

        /** The state format version of the serializer this snapshot was taken of. */
        public int format() {
            return format;
        }

        @Override
        public int getCurrentVersion() {
            return SNAPSHOT_VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeInt(format);
        }

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader userCodeClassLoader)
                throws IOException {
            if (readVersion != SNAPSHOT_VERSION) {
                throw new IOException("unknown engine state snapshot version " + readVersion);
            }
            format = in.readInt();
            if (format < EngineState.FIRST_VERSION || format > EngineState.VERSION) {
                throw new IOException("engine state of format version " + format + " unknown");
            }
        }

        @Override
        public TypeSerializer<ClusterEngine> restoreSerializer() {
            return new EngineStateSerializer(); // every value names its own format version
        }

        /**
         * The same format: as is. An earlier format of this codec, or Java serialization (version
         * 1): read with the serializer of the old snapshot, written again in this form.
         */
        @Override
        public TypeSerializerSchemaCompatibility<ClusterEngine> resolveSchemaCompatibility(
                TypeSerializerSnapshot<ClusterEngine> oldSerializerSnapshot) {
            if (oldSerializerSnapshot instanceof Snapshot old) {
                return old.format == EngineState.VERSION
                        ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                        : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            if (oldSerializerSnapshot instanceof EngineSerializer.Snapshot) {
                return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
            }
            return TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
