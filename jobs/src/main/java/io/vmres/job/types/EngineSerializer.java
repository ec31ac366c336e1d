package io.vmres.job.types;

import io.vmres.engine.ClusterEngine;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

/** Checkpoints a cluster engine with Java serialization. */
public final class EngineSerializer extends JavaSerializer<ClusterEngine> {
    private static final long serialVersionUID = 1L;

    public EngineSerializer() {
        super(ClusterEngine.class);
    }

    @Override
    public TypeSerializerSnapshot<ClusterEngine> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of a serializer without configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ClusterEngine> {
        public Snapshot() {
            super(EngineSerializer::new);
        }
    }
}
