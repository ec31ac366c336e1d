package io.vmres.engine.state;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes engine state field by field: varints (zig-zag for signed values), each string once per
 * snapshot (later occurrences are an index into the strings written so far), and objects the state
 * shares (a VM job named by an incident and by a command in flight) once, then by reference. Plain
 * {@link DataOutput}: no Flink types, so that it runs wherever the engine runs.
 */
public final class StateOutput {

    /** Writes one value. */
    @FunctionalInterface
    public interface Writer<T> {
        void write(T value, StateOutput out) throws IOException;
    }

    private final DataOutput out;
    private final int version;
    private final HashMap<String, Integer> strings = new HashMap<>();
    private final IdentityHashMap<Object, Integer> shared = new IdentityHashMap<>();

    StateOutput(DataOutput out, int version) {
        this.out = out;
        this.version = version;
    }

    /** Writes the leading format version, then hands the writer on. */
    public static StateOutput start(DataOutput out, int version) throws IOException {
        StateOutput o = new StateOutput(out, version);
        o.writeVarInt(version);
        return o;
    }

    public int version() {
        return version;
    }

    public void writeBoolean(boolean v) throws IOException {
        out.writeByte(v ? 1 : 0);
    }

    /** A value never negative, in 1 to 5 bytes. */
    public void writeVarInt(int v) throws IOException {
        if (v < 0) {
            throw new IllegalArgumentException("negative: " + v);
        }
        writeUnsigned(v);
    }

    /** Any int, zig-zag encoded: small magnitudes take one byte. */
    public void writeInt(int v) throws IOException {
        writeLong(v);
    }

    /** Any long, zig-zag encoded: small magnitudes take few bytes. */
    public void writeLong(long v) throws IOException {
        writeUnsigned((v << 1) ^ (v >> 63));
    }

    /**
     * An instant or an instant-like value: {@code Long.MIN_VALUE} (never) and {@code
     * Long.MAX_VALUE} take one byte; an epoch-millisecond instant takes six.
     */
    public void writeTs(long v) throws IOException {
        if (v == Long.MIN_VALUE) {
            writeUnsigned(0);
        } else if (v == Long.MAX_VALUE) {
            writeUnsigned(1);
        } else {
            writeUnsigned(((v << 1) ^ (v >> 63)) + 2);
        }
    }

    public void writeDouble(double v) throws IOException {
        out.writeDouble(v);
    }

    /**
     * A number that is most often whole (a capacity, a size): a whole value takes a varint, any
     * other the eight bytes of a double.
     */
    public void writeNumber(double v) throws IOException {
        long l = (long) v;
        if (l == v && Math.abs(l) < (1L << 52) && Double.doubleToRawLongBits(v) != NEGATIVE_ZERO) {
            writeUnsigned(((l << 1) ^ (l >> 63)) << 1);
        } else {
            writeUnsigned(1);
            out.writeDouble(v);
        }
    }

    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

    public void writeNullableLong(Long v) throws IOException {
        writeBoolean(v != null);
        if (v != null) {
            writeTs(v);
        }
    }

    public void writeNullableDouble(Double v) throws IOException {
        writeBoolean(v != null);
        if (v != null) {
            writeDouble(v);
        }
    }

    /** A string or null; a string written before in this snapshot is an index. */
    public void writeString(String s) throws IOException {
        if (s == null) {
            writeUnsigned(0);
            return;
        }
        Integer i = strings.get(s);
        if (i != null) {
            writeUnsigned(i + 2L);
            return;
        }
        strings.put(s, strings.size());
        writeUnsigned(1);
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeVarInt(b.length);
        out.write(b);
    }

    /** An enum constant by name (or null): reordering the constants keeps old state readable. */
    public void writeEnum(Enum<?> e) throws IOException {
        writeString(e == null ? null : e.name());
    }

    /** Strings in their collection's order. */
    public void writeStrings(Collection<String> c) throws IOException {
        writeVarInt(c.size());
        for (String s : c) {
            writeString(s);
        }
    }

    /** Strings in their list's order, or null. */
    public void writeNullableStrings(List<String> c) throws IOException {
        writeBoolean(c != null);
        if (c != null) {
            writeStrings(c);
        }
    }

    /** Values in their collection's order. */
    public <T> void writeAll(Collection<T> c, Writer<T> w) throws IOException {
        writeVarInt(c.size());
        for (T v : c) {
            w.write(v, this);
        }
    }

    /** A map with string keys in its own order (a TreeMap, a LinkedHashMap). */
    public <T> void writeMap(Map<String, T> m, Writer<T> w) throws IOException {
        writeVarInt(m.size());
        for (Map.Entry<String, T> e : m.entrySet()) {
            writeString(e.getKey());
            w.write(e.getValue(), this);
        }
    }

    /** A map with string keys whose own order is not deterministic (a HashMap): in key order. */
    public <T> void writeUnorderedMap(Map<String, T> m, Writer<T> w) throws IOException {
        List<String> keys = new ArrayList<>(m.keySet());
        keys.sort(null);
        writeVarInt(keys.size());
        for (String k : keys) {
            writeString(k);
            w.write(m.get(k), this);
        }
    }

    /**
     * An object the state may hold in several places (or null): written in full the first time,
     * then as a reference, so that a restored state shares it as the saved one did.
     */
    public <T> void writeShared(T v, Writer<T> w) throws IOException {
        if (v == null) {
            writeUnsigned(0);
            return;
        }
        Integer i = shared.get(v);
        if (i != null) {
            writeUnsigned(i + 2L);
            return;
        }
        shared.put(v, shared.size());
        writeUnsigned(1);
        w.write(v, this);
    }

    /**
     * A small JSON-like value (an incident's evidence): null, string, number, boolean, or a map or
     * list of them.
     */
    public void writeValue(Object v) throws IOException {
        if (v == null) {
            out.writeByte(0);
        } else if (v instanceof String s) {
            out.writeByte(1);
            writeString(s);
        } else if (v instanceof Double d) {
            out.writeByte(2);
            writeDouble(d);
        } else if (v instanceof Long l) {
            out.writeByte(3);
            writeLong(l);
        } else if (v instanceof Integer i) {
            out.writeByte(4);
            writeInt(i);
        } else if (v instanceof Boolean b) {
            out.writeByte(5);
            writeBoolean(b);
        } else if (v instanceof Map<?, ?> m) {
            out.writeByte(6);
            writeVarInt(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                writeString((String) e.getKey());
                writeValue(e.getValue());
            }
        } else if (v instanceof List<?> l) {
            out.writeByte(7);
            writeVarInt(l.size());
            for (Object o : l) {
                writeValue(o);
            }
        } else {
            throw new IOException("no state encoding for " + v.getClass().getName());
        }
    }

    private void writeUnsigned(long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }
}
