package io.vmres.schema;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Dead letters of Kafka records, of a bounded size whatever the record's: the record's first
 * {@value #RAW_PREFIX_BYTES} bytes in base64, and for a longer one its length and its SHA-256, so
 * that the dead letter of a one-megabyte record stays far below Kafka's largest message and the
 * record can still be found and compared.
 */
public final class DeadLetters {
    /** The bytes of a record a dead letter keeps. */
    public static final int RAW_PREFIX_BYTES = 4_096;

    /** The longest reason a dead letter keeps (a reason may quote the record). */
    public static final int MAX_REASON_CHARS = 1_024;

    private DeadLetters() {}

    /**
     * @param value the record's bytes as read (null: an empty record)
     */
    public static DeadLetter of(String source, Long line, String reason, byte[] value, Instant ts) {
        byte[] bytes = value == null ? new byte[0] : value;
        DeadLetter.Builder b =
                DeadLetter.newBuilder()
                        .setSource(source)
                        .setLine(line)
                        .setReason(reason(reason))
                        .setTs(ts);
        if (bytes.length <= RAW_PREFIX_BYTES) {
            return b.setRaw(Base64.getEncoder().encodeToString(bytes)).build();
        }
        return b.setRaw(Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, RAW_PREFIX_BYTES)))
                .setSize((long) bytes.length)
                .setSha256(sha256(bytes))
                .build();
    }

    private static String reason(String reason) {
        String r = reason == null ? "unknown" : reason;
        return r.length() <= MAX_REASON_CHARS ? r : r.substring(0, MAX_REASON_CHARS) + "...";
    }

    /** SHA-256 in lower-case hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
