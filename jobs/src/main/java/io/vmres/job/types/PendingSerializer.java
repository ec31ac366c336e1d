package io.vmres.job.types;

import io.vmres.engine.event.Event;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Input held until the watermark passes it: instants in order, each with its events. */
public final class PendingSerializer
        extends TypeSerializerSingleton<TreeMap<Long, ArrayList<Event>>> {
    private static final long serialVersionUID = 1L;
    public static final PendingSerializer INSTANCE = new PendingSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TreeMap<Long, ArrayList<Event>> createInstance() {
        return new TreeMap<>();
    }

    @Override
    public TreeMap<Long, ArrayList<Event>> copy(TreeMap<Long, ArrayList<Event>> from) {
        TreeMap<Long, ArrayList<Event>> copy = new TreeMap<>();
        for (Map.Entry<Long, ArrayList<Event>> e : from.entrySet()) {
            copy.put(e.getKey(), new ArrayList<>(e.getValue())); // events are immutable
        }
        return copy;
    }

    @Override
    public TreeMap<Long, ArrayList<Event>> copy(
            TreeMap<Long, ArrayList<Event>> from, TreeMap<Long, ArrayList<Event>> reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TreeMap<Long, ArrayList<Event>> pending, DataOutputView out)
            throws IOException {
        out.writeInt(pending.size());
        for (Map.Entry<Long, ArrayList<Event>> e : pending.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue().size());
            for (Event ev : e.getValue()) {
                EventSerializer.INSTANCE.serialize(ev, out);
            }
        }
    }

    @Override
    public TreeMap<Long, ArrayList<Event>> deserialize(DataInputView in) throws IOException {
        TreeMap<Long, ArrayList<Event>> pending = new TreeMap<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long ts = in.readLong();
            int m = in.readInt();
            ArrayList<Event> events = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
                events.add(EventSerializer.INSTANCE.deserialize(in));
            }
            pending.put(ts, events);
        }
        return pending;
    }

    @Override
    public TreeMap<Long, ArrayList<Event>> deserialize(
            TreeMap<Long, ArrayList<Event>> reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<TreeMap<Long, ArrayList<Event>>> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot of a serializer without configuration. */
    public static final class Snapshot
            extends SimpleTypeSerializerSnapshot<TreeMap<Long, ArrayList<Event>>> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
