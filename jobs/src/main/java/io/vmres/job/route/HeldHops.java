package io.vmres.job.route;

import io.vmres.job.types.ImmutableSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The messages a routing stage holds for one instant until the watermark passes it, kept in their
 * binary form ({@link Hop.Serializer}, one after the other, in the order they came). A stage that
 * reads a backlog holds all of it until event time passes it, and every checkpoint copies what is
 * held: as bytes, a checkpoint copies an array, not a graph of events and strings to encode again
 * each second. A message is encoded once when it is held and decoded once when it is applied.
 *
 * <p>Immutable: {@link #with} makes a new one (an instant holds a handful of messages per host), so
 * that a checkpoint taken while the stage goes on shares it rather than copying it.
 */
public final class HeldHops {
    private final byte[] bytes;

    private HeldHops(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The messages of {@code held} (null: none) and then {@code hop}. */
    public static HeldHops with(HeldHops held, Hop hop, DataOutputSerializer buffer)
            throws IOException {
        buffer.clear();
        if (held != null) {
            buffer.write(held.bytes);
        }
        Hop.Serializer.INSTANCE.serialize(hop, buffer);
        return new HeldHops(buffer.getCopyOfBuffer());
    }

    /** The messages held, in the order they came. */
    public List<Hop> hops() throws IOException {
        List<Hop> hops = new ArrayList<>(4);
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        while (in.available() > 0) {
            hops.add(Hop.Serializer.INSTANCE.deserialize(in));
        }
        return hops;
    }

    /** Bytes held. */
    public int size() {
        return bytes.length;
    }

    /**
     * Binary form: the length, then the messages' bytes as they are held. Version 1 (the held
     * messages of earlier graphs were a list of {@link Hop}s under another state name).
     */
    public static final class Serializer extends ImmutableSerializer<HeldHops> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();

        @Override
        public void serialize(HeldHops held, DataOutputView out) throws IOException {
            out.writeInt(held.bytes.length);
            out.write(held.bytes);
        }

        @Override
        public HeldHops deserialize(DataInputView in) throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            return new HeldHops(bytes);
        }

        @Override
        public TypeSerializerSnapshot<HeldHops> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Snapshot of a serializer without configuration. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<HeldHops> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
