package io.vmres.engine;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The spec's time grammar: {@code YYYY-MM-DDThh:mm:ss[.f{1,9}]Z}, millisecond precision, UTC. */
public final class Times {
    private static final Pattern TS =
            Pattern.compile(
                    "^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]{1,9}))?Z$");
    private static final DateTimeFormatter OUT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Times() {}

    /**
     * Parses a spec timestamp to epoch milliseconds (digits past the third of a fraction are
     * truncated).
     *
     * @throws IllegalArgumentException when the text is not in the grammar or names no real instant
     */
    public static long parse(String text) {
        Matcher m = text == null ? null : TS.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    "not a timestamp of the form YYYY-MM-DDThh:mm:ss[.fff]Z");
        }
        int year = Integer.parseInt(m.group(1));
        int hour = Integer.parseInt(m.group(4));
        int minute = Integer.parseInt(m.group(5));
        int second = Integer.parseInt(m.group(6));
        if (year < 1 || hour > 23 || minute > 59 || second > 59) {
            throw new IllegalArgumentException("no such instant");
        }
        LocalDate day;
        try {
            day = LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("no such date");
        }
        String frac = m.group(7) == null ? "" : m.group(7);
        int millis = Integer.parseInt((frac + "000").substring(0, 3));
        long seconds = day.toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second;
        return seconds * 1000L + millis;
    }

    /**
     * {@code t + d}, saturating: an instant past the end of time is the end of time ({@link
     * Long#MAX_VALUE}, which no timer reaches), one before its start is {@link Long#MIN_VALUE}. An
     * event stamped near either end (a live record's own ts is any long) never wraps around.
     */
    public static long plus(long t, long d) {
        long r = t + d;
        // overflow only when both operands have the sign the result lacks
        if (((t ^ r) & (d ^ r)) < 0) {
            return d > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    /** {@code t - d}, saturating as {@link #plus}. */
    public static long minus(long t, long d) {
        long r = t - d;
        if (((t ^ d) & (t ^ r)) < 0) {
            return d > 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** {@code |a - b|}, saturating at {@link Long#MAX_VALUE}. */
    public static long distance(long a, long b) {
        long d = minus(Math.max(a, b), Math.min(a, b));
        return d < 0 ? Long.MAX_VALUE : d;
    }

    /** Formats epoch milliseconds as {@code YYYY-MM-DDThh:mm:ss.sssZ}. */
    public static String format(long epochMillis) {
        return OUT.format(java.time.Instant.ofEpochMilli(epochMillis));
    }

    /** Writes a {@code long} epoch-millisecond field in the spec's grammar. */
    public static final class Json extends StdSerializer<Long> {
        private static final long serialVersionUID = 1L;

        public Json() {
            super(Long.class);
        }

        @Override
        public void serialize(Long value, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeString(format(value));
        }
    }
}
