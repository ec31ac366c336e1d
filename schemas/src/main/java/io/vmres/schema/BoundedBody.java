package io.vmres.schema;

import org.apache.avro.Schema;

/**
 * Walks an Avro binary body along its writer's schema before anything decodes it, and refuses every
 * length the bytes cannot hold: a string, bytes or a collection whose length prefix claims more
 * than what is left of the record. Avro's decoder sizes its buffers from those prefixes; so a
 * ten-byte record claiming a string of two billion bytes would have it allocate two gigabytes.
 * After this walk the decoder never allocates more than the record's own size over again.
 */
final class BoundedBody {
    /** Items of a collection whose items take no byte (nulls): at most this many in one record. */
    static final int MAX_EMPTY_ITEMS = 65_536;

    private final byte[] bytes;
    private int pos;
    private long emptyItems;

    private BoundedBody(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.pos = offset;
    }

    /**
     * @throws AvroCodec.BadRecordException naming what does not fit
     */
    static void check(Schema schema, byte[] bytes, int offset) throws AvroCodec.BadRecordException {
        BoundedBody b = new BoundedBody(bytes, offset);
        b.walk(schema, 0);
        if (b.pos != bytes.length) {
            throw new AvroCodec.BadRecordException(
                    (bytes.length - b.pos) + " bytes after the end of the record");
        }
    }

    private void walk(Schema s, int depth) throws AvroCodec.BadRecordException {
        if (depth > 64) {
            throw new AvroCodec.BadRecordException("nested more than 64 deep");
        }
        switch (s.getType()) {
            case NULL -> {}
            case BOOLEAN -> take(1, "a boolean");
            case INT -> varint(5, "an int");
            case LONG -> varint(10, "a long");
            case FLOAT -> take(4, "a float");
            case DOUBLE -> take(8, "a double");
            case FIXED -> take(s.getFixedSize(), s.getName());
            case STRING, BYTES -> take(length(s.getType().getName()), s.getType().getName());
            case ENUM -> {
                long i = varint(5, "an enum");
                if (i < 0 || i >= s.getEnumSymbols().size()) {
                    throw new AvroCodec.BadRecordException(
                            s.getName() + " symbol " + i + " out of range");
                }
            }
            case UNION -> {
                long i = varint(5, "a union branch");
                if (i < 0 || i >= s.getTypes().size()) {
                    throw new AvroCodec.BadRecordException("union branch " + i + " out of range");
                }
                walk(s.getTypes().get((int) i), depth + 1);
            }
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    walk(f.schema(), depth + 1);
                }
            }
            case ARRAY -> items(s.getElementType(), null, depth);
            case MAP -> items(s.getValueType(), Schema.create(Schema.Type.STRING), depth);
        }
    }

    /** The blocks of an array or a map: a count, then as many items, until a count of 0. */
    private void items(Schema item, Schema key, int depth) throws AvroCodec.BadRecordException {
        while (true) {
            long count = varint(10, "a block count");
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                length("block size"); // the block's size in bytes, checked, then walked anyway
            }
            boolean empty = minSize(item) == 0 && key == null;
            if (empty) {
                emptyItems += count;
                if (emptyItems > MAX_EMPTY_ITEMS) {
                    throw new AvroCodec.BadRecordException(
                            "more than " + MAX_EMPTY_ITEMS + " items that take no byte");
                }
            } else if (count > bytes.length - pos) {
                throw new AvroCodec.BadRecordException(
                        "a collection of "
                                + count
                                + " items in "
                                + (bytes.length - pos)
                                + " bytes");
            }
            for (long i = 0; i < count; i++) {
                if (key != null) {
                    walk(key, depth + 1);
                }
                walk(item, depth + 1);
            }
        }
    }

    private static int minSize(Schema s) {
        return switch (s.getType()) {
            case NULL -> 0;
            case FIXED -> s.getFixedSize();
            case RECORD -> s.getFields().stream().mapToInt(f -> minSize(f.schema())).sum();
            default -> 1;
        };
    }

    /** A length prefix: zero or more, and no more than the bytes left. */
    private int length(String what) throws AvroCodec.BadRecordException {
        long n = varint(10, "a length");
        if (n < 0 || n > bytes.length - pos) {
            throw new AvroCodec.BadRecordException(
                    what + " of " + n + " bytes in " + (bytes.length - pos) + " bytes left");
        }
        return (int) n;
    }

    private void take(int n, String what) throws AvroCodec.BadRecordException {
        if (n > bytes.length - pos) {
            throw new AvroCodec.BadRecordException("truncated in " + what);
        }
        pos += n;
    }

    /** A zig-zag varint of at most {@code maxBytes} bytes. */
    private long varint(int maxBytes, String what) throws AvroCodec.BadRecordException {
        long raw = 0;
        for (int i = 0; i < maxBytes; i++) {
            if (pos >= bytes.length) {
                throw new AvroCodec.BadRecordException("truncated in " + what);
            }
            int b = bytes[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new AvroCodec.BadRecordException("malformed varint in " + what);
    }
}
