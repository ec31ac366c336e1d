package io.vmres.engine.state;

import java.io.DataInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reads what a {@link StateOutput} wrote, knowing the format version it was written in. */
public final class StateInput {

    /** Reads one value. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(StateInput in) throws IOException;
    }

    private final DataInput in;
    private final int version;
    private final List<String> strings = new ArrayList<>();
    private final List<Object> shared = new ArrayList<>();

    private StateInput(DataInput in, int version) {
        this.in = in;
        this.version = version;
    }

    /**
     * Reads the leading format version.
     *
     * @throws IOException when the version is not between {@code oldest} and {@code newest}
     */
    public static StateInput start(DataInput in, int oldest, int newest) throws IOException {
        int v = (int) readUnsigned(in);
        if (v < oldest || v > newest) {
            throw new IOException(
                    "engine state of format version "
                            + v
                            + ", this build reads "
                            + oldest
                            + " to "
                            + newest);
        }
        return new StateInput(in, v);
    }

    /** The format version the state was written in: readers of later fields ask it. */
    public int version() {
        return version;
    }

    public boolean readBoolean() throws IOException {
        return in.readByte() != 0;
    }

    public int readVarInt() throws IOException {
        long v = readUnsigned(in);
        if (v > Integer.MAX_VALUE) {
            throw new IOException("corrupt engine state: count " + v);
        }
        return (int) v;
    }

    public int readInt() throws IOException {
        return Math.toIntExact(readLong());
    }

    public long readLong() throws IOException {
        long z = readUnsigned(in);
        return (z >>> 1) ^ -(z & 1);
    }

    public long readTs() throws IOException {
        long u = readUnsigned(in);
        if (u == 0) {
            return Long.MIN_VALUE;
        }
        if (u == 1) {
            return Long.MAX_VALUE;
        }
        long z = u - 2;
        return (z >>> 1) ^ -(z & 1);
    }

    public double readDouble() throws IOException {
        return in.readDouble();
    }

    public double readNumber() throws IOException {
        long u = readUnsigned(in);
        if ((u & 1) != 0) {
            return in.readDouble();
        }
        long z = u >>> 1;
        return (double) ((z >>> 1) ^ -(z & 1));
    }

    public Long readNullableLong() throws IOException {
        return readBoolean() ? readTs() : null;
    }

    public Double readNullableDouble() throws IOException {
        return readBoolean() ? readDouble() : null;
    }

    public String readString() throws IOException {
        long tag = readUnsigned(in);
        if (tag == 0) {
            return null;
        }
        if (tag == 1) {
            byte[] b = new byte[readVarInt()];
            in.readFully(b);
            String s = new String(b, StandardCharsets.UTF_8);
            strings.add(s);
            return s;
        }
        long i = tag - 2;
        if (i >= strings.size()) {
            throw new IOException("corrupt engine state: string " + i + " of " + strings.size());
        }
        return strings.get((int) i);
    }

    public <E extends Enum<E>> E readEnum(Class<E> type) throws IOException {
        String name = readString();
        return name == null ? null : Enum.valueOf(type, name);
    }

    public <C extends Collection<String>> C readStrings(C into) throws IOException {
        int n = readVarInt();
        for (int i = 0; i < n; i++) {
            into.add(readString());
        }
        return into;
    }

    /** An unmodifiable list, or null. */
    public List<String> readNullableStrings() throws IOException {
        return readBoolean() ? Collections.unmodifiableList(readStrings(new ArrayList<>())) : null;
    }

    public <T, C extends Collection<T>> C readAll(C into, Reader<T> r) throws IOException {
        int n = readVarInt();
        for (int i = 0; i < n; i++) {
            into.add(r.read(this));
        }
        return into;
    }

    public <T, M extends Map<String, T>> M readMap(M into, Reader<T> r) throws IOException {
        int n = readVarInt();
        for (int i = 0; i < n; i++) {
            String k = readString();
            into.put(k, r.read(this));
        }
        return into;
    }

    public <M extends Map<String, T>, T> M readMap(Supplier<M> make, Reader<T> r)
            throws IOException {
        return readMap(make.get(), r);
    }

    @SuppressWarnings("unchecked")
    public <T> T readShared(Reader<T> r) throws IOException {
        long tag = readUnsigned(in);
        if (tag == 0) {
            return null;
        }
        if (tag == 1) {
            int at = shared.size();
            shared.add(null);
            T v = r.read(this);
            shared.set(at, v);
            return v;
        }
        long i = tag - 2;
        if (i >= shared.size() || shared.get((int) i) == null) {
            throw new IOException("corrupt engine state: shared object " + i);
        }
        return (T) shared.get((int) i);
    }

    public Object readValue() throws IOException {
        int tag = in.readByte();
        switch (tag) {
            case 0:
                return null;
            case 1:
                return readString();
            case 2:
                return readDouble();
            case 3:
                return readLong();
            case 4:
                return readInt();
            case 5:
                return readBoolean();
            case 6:
                {
                    int n = readVarInt();
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        String k = readString();
                        m.put(k, readValue());
                    }
                    return m;
                }
            case 7:
                {
                    int n = readVarInt();
                    List<Object> l = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        l.add(readValue());
                    }
                    return l;
                }
            default:
                throw new IOException("corrupt engine state: value tag " + tag);
        }
    }

    private static long readUnsigned(DataInput in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("corrupt engine state: varint too long");
    }
}
