package io.vmres.schema.sign;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The bytes a signature covers: a domain tag, then every field of the record but {@code signature}
 * whose value is not null, in the order of their names, each as its name and a typed, length
 * prefixed value. Independent of Avro's encoding and of the field order of a schema version: a
 * field added later with a null default signs as before while null, and a reader that does not know
 * a field set by a newer writer cannot verify the record (it never acts on fields it cannot see).
 */
public final class Canonical {
    /** The field that holds the signature, the only one left out. */
    public static final String SIGNATURE_FIELD = "signature";

    private Canonical() {}

    /** The canonical bytes of {@code record}, tagged with {@code tag} (domain separation). */
    public static byte[] of(String tag, SpecificRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            text(out, tag);
            List<Schema.Field> fields = new ArrayList<>(record.getSchema().getFields());
            fields.sort(Comparator.comparing(Schema.Field::name));
            for (Schema.Field f : fields) {
                Object v = record.get(f.pos());
                if (v == null || f.name().equals(SIGNATURE_FIELD)) {
                    continue;
                }
                text(out, f.name());
                value(out, v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: never
        }
        return bytes.toByteArray();
    }

    private static void value(DataOutputStream out, Object v) throws IOException {
        if (v instanceof CharSequence s) {
            out.writeByte('s');
            text(out, s.toString());
        } else if (v instanceof Integer i) {
            out.writeByte('i');
            out.writeInt(i);
        } else if (v instanceof Long l) {
            out.writeByte('l');
            out.writeLong(l);
        } else if (v instanceof Instant t) {
            out.writeByte('t');
            out.writeLong(t.toEpochMilli());
        } else if (v instanceof Boolean b) {
            out.writeByte('b');
            out.writeBoolean(b);
        } else if (v instanceof Double d) {
            out.writeByte('d');
            out.writeLong(Double.doubleToLongBits(d));
        } else if (v instanceof Enum<?> e) {
            out.writeByte('e');
            text(out, e.name());
        } else if (v instanceof ByteBuffer b) {
            out.writeByte('y');
            ByteBuffer d = b.duplicate();
            out.writeInt(d.remaining());
            while (d.hasRemaining()) {
                out.writeByte(d.get());
            }
        } else if (v instanceof Collection<?> c) {
            out.writeByte('a');
            out.writeInt(c.size());
            for (Object item : c) {
                if (item == null) {
                    out.writeByte('n');
                } else {
                    value(out, item);
                }
            }
        } else {
            throw new IllegalArgumentException("no canonical form for a " + v.getClass().getName());
        }
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
