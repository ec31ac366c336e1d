package io.vmres.job;

import io.vmres.job.types.JavaSerializer;
import io.vmres.job.types.SerializerTypeInfo;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;

/**
 * A decision line of one cluster ({@code CommandOut}, {@code ResultOut}, {@code IncidentOut},
 * {@code AlertOut}, {@code DeadLetterOut}), or the cluster's final engine in replay, with its place
 * in the order of the cluster's decisions.
 */
public record Emitted(String cluster, long seq, Serializable line) implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final TypeInformation<Emitted> TYPE =
            SerializerTypeInfo.of(Emitted.class, Serializer::new);

    /** Java serialization: decision lines are few next to the input. */
    public static final class Serializer extends JavaSerializer<Emitted> {
        private static final long serialVersionUID = 1L;

        public Serializer() {
            super(Emitted.class);
        }

        @Override
        public TypeSerializerSnapshot<Emitted> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<Emitted> {
            public Snapshot() {
                super(Serializer::new);
            }
        }
    }
}
