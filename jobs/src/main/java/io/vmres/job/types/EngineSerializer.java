package io.vmres.job.types;

import io.vmres.engine.ClusterEngine;
import io.vmres.job.types.legacy.V1State;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Reads cluster engines checkpointed with version 1 of the engine's state: Java serialization of
 * the engine's classes before its stages were split out (each value its length, then the serialized
 * engine). Those classes are gone: {@link V1State} reads them into a frozen mirror and migrates it.
 * It only reads; the job writes engines with {@link EngineStateSerializer}. Old checkpoints name
 * its {@link Snapshot}, which must stay loadable under this name.
 */
public final class EngineSerializer extends TypeSerializer<ClusterEngine> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<ClusterEngine> duplicate() {
        return this;
    }

    @Override
    public ClusterEngine createInstance() {
        return null;
    }

    /** Copies in the current form (an engine read from version 1 is a current engine). */
    @Override
    public ClusterEngine copy(ClusterEngine from) {
        return new EngineStateSerializer().copy(from);
    }

    @Override
    public ClusterEngine copy(ClusterEngine from, ClusterEngine reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    /** Version 1 is never written again. */
    @Override
    public void serialize(ClusterEngine record, DataOutputView target) {
        throw new UnsupportedOperationException(
                "engine state of version 1 is only read; write with EngineStateSerializer");
    }

    @Override
    public ClusterEngine deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return V1State.read(bytes);
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

    /**
     * The snapshot old checkpoints hold (no configuration); its serializer reads version 1, and the
     * current serializer migrates from it.
     */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ClusterEngine> {
        public Snapshot() {
            super(EngineSerializer::new);
        }

        @Override
        public TypeSerializerSchemaCompatibility<ClusterEngine> resolveSchemaCompatibility(
                TypeSerializerSnapshot<ClusterEngine> oldSerializerSnapshot) {
            return oldSerializerSnapshot instanceof Snapshot
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
