package io.vmres.job.types;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Java serialization for values that are rare on the wire but rich in structure (a cluster engine's
 * state, decision lines). Java serialization copes with every JDK collection, including the
 * immutable ones that Kryo cannot rebuild.
 */
public abstract class JavaSerializer<T extends Serializable> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    protected JavaSerializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<T> duplicate() {
        return this; // stateless
    }

    @Override
    public T createInstance() {
        return null;
    }

    @Override
    public T copy(T from) {
        try {
            return fromBytes(toBytes(from));
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + type.getSimpleName(), e);
        }
    }

    @Override
    public T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(T record, DataOutputView target) throws IOException {
        byte[] bytes = toBytes(record);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    @Override
    public T deserialize(DataInputView source) throws IOException {
        byte[] bytes = new byte[source.readInt()];
        source.readFully(bytes);
        return fromBytes(bytes);
    }

    @Override
    public T deserialize(T reuse, DataInputView source) throws IOException {
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
    public abstract TypeSerializerSnapshot<T> snapshotConfiguration();

    private byte[] toBytes(T value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private T fromBytes(byte[] bytes) throws IOException {
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes)) {
                    @Override
                    protected Class<?> resolveClass(java.io.ObjectStreamClass desc)
                            throws IOException, ClassNotFoundException {
                        // the user-code class loader, where the job's classes live on a cluster
                        return Class.forName(desc.getName(), false, type.getClassLoader());
                    }
                }) {
            return type.cast(in.readObject());
        } catch (ClassNotFoundException e) {
            throw new IOException("cannot read " + type.getSimpleName(), e);
        }
    }
}
