package io.vmres.deploy.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration as people write it on a command line: {@code 500ms}, {@code 120s}, {@code 5m},
 * {@code 1h30m}, {@code 2d}, or ISO-8601 such as {@code PT2M}.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses one of the accepted forms, or says which forms are accepted. */
    public static Duration parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("p")) {
            try {
                return nonNegative(Duration.parse(v.toUpperCase(Locale.ROOT)), value);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException(
                        "'" + value + "' is not an ISO-8601 duration such as PT2M");
            }
        }
        if (!WHOLE.matcher(v).matches()) {
            throw new TypeConversionException(
                    "'"
                            + value
                            + "' is not a duration: write it with a unit, such as 500ms, 120s, 5m, 1h30m,"
                            + " 2d or PT2M");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(v);
        while (m.find()) {
            long n;
            try {
                n = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is too long a duration");
            }
            total = total.plus(unit(n, m.group(2)));
        }
        return total;
    }

    private static Duration unit(long n, String unit) {
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default ->
                    throw new IllegalStateException("unit " + unit); // the pattern admits no other
        };
    }

    private static Duration nonNegative(Duration d, String value) {
        if (d.isNegative()) {
            throw new TypeConversionException(
                    "'" + value + "' is negative; a duration here must not be");
        }
        return d;
    }
}
