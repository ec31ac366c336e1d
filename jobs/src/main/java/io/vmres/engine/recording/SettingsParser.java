package io.vmres.engine.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.vmres.engine.Settings;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns setting overrides ({@code meta.config}, {@code --set key=value}) into {@link Settings},
 * with the spec's validation, and writes effective settings back as JSON.
 */
public final class SettingsParser {
    /** Every setting key, in the order {@code summary.json} lists them. */
    public static final List<String> KEYS =
            List.of(
                    "heartbeatTimeout",
                    "outOfOrderness",
                    "maxClockSkew",
                    "massSilenceFraction",
                    "maxInFlightPerTarget",
                    "maxInFlightPerCluster",
                    "commandTimeout",
                    "maxAttempts",
                    "eccWindow",
                    "eccThreshold",
                    "tempThresholdC",
                    "tempWindows",
                    "evacuationLeadTime",
                    "smartWindow",
                    "smartPendingRise",
                    "smartReallocatedRise");

    private static final List<String> DURATIONS =
            List.of(
                    "heartbeatTimeout",
                    "outOfOrderness",
                    "maxClockSkew",
                    "commandTimeout",
                    "eccWindow",
                    "evacuationLeadTime",
                    "smartWindow");

    /**
     * Durations longer than this act as this: no recording spans 100,000 years (timestamps stop at
     * year 9999), and it keeps {@code ts + duration} far from overflowing a long.
     */
    static final long MAX_DURATION_MS = 100_000L * 366 * 86_400_000L;

    private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE);

    private SettingsParser() {}

    /**
     * Applies the object of a {@code meta.config} to {@code base}.
     *
     * @throws IllegalArgumentException naming the first unknown key or bad value
     */
    public static Settings applyConfig(Settings base, JsonNode config) {
        if (config == null || !config.isObject()) {
            throw new IllegalArgumentException("config must be an object");
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            values.put(e.getKey(), e.getValue());
        }
        return apply(base, values);
    }

    /**
     * Applies {@code --set key=value} overrides to {@code base}. A value is read as JSON when it is
     * JSON ({@code 5}, {@code 0.25}, {@code "PT5S"}), else as a string ({@code PT5S}).
     *
     * @throws IllegalArgumentException naming the first unknown key or bad value
     */
    public static Settings applyOverrides(Settings base, Map<String, String> overrides) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            values.put(e.getKey(), overrideValue(e.getValue()));
        }
        return apply(base, values);
    }

    private static JsonNode overrideValue(String text) {
        try {
            return Json.STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            // Not JSON: a bare word such as PT5S is meant as a string.
            return TextNode.valueOf(text);
        }
    }

    /**
     * Applies already parsed values to {@code base}.
     *
     * @throws IllegalArgumentException naming the first unknown key or bad value
     */
    public static Settings apply(Settings base, Map<String, JsonNode> values) {
        Map<String, Number> s = asMap(base);
        for (Map.Entry<String, JsonNode> e : values.entrySet()) {
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (!s.containsKey(key)) {
                throw new IllegalArgumentException("unknown setting '" + key + "'");
            }
            if (DURATIONS.contains(key)) {
                if (v == null || !v.isTextual()) {
                    throw new IllegalArgumentException(
                            key + " must be an ISO-8601 duration, got " + v);
                }
                s.put(key, parseDuration(key, v.textValue()));
            } else if ("massSilenceFraction".equals(key)) {
                double x = number(key, v);
                if (!(x > 0 && x <= 1)) {
                    throw new IllegalArgumentException(
                            key + " must be a number in (0, 1], got " + v);
                }
                s.put(key, x);
            } else if ("tempThresholdC".equals(key)) {
                s.put(key, number(key, v));
            } else {
                s.put(key, count(key, v));
            }
        }
        return fromMap(s);
    }

    /**
     * Parses the spec's duration grammar {@code P[nD][T[nH][nM][n[.f]S]]} to milliseconds, digits
     * past the third of a fraction truncated.
     *
     * @throws IllegalArgumentException when not in the grammar or not > 0 once truncated
     */
    public static long parseDuration(String key, String text) {
        BigInteger total = durationMillis(text);
        if (total == null) {
            throw new IllegalArgumentException(
                    key + " must be an ISO-8601 duration, got \"" + text + "\"");
        }
        if (total.signum() <= 0) {
            throw new IllegalArgumentException(key + " must be > 0, got \"" + text + "\"");
        }
        return total.min(BigInteger.valueOf(MAX_DURATION_MS)).longValueExact();
    }

    /** The duration's milliseconds (truncated), or null when the text is not in the grammar. */
    private static BigInteger durationMillis(String t) {
        int n = t.length();
        if (n < 2 || t.charAt(0) != 'P') {
            return null;
        }
        BigInteger total = BigInteger.ZERO;
        int i = 1;
        boolean any = false;
        boolean inTime = false;
        // Units must come in this order; 'rank' is the next unit allowed (D=0, T, H=1, M=2, S=3).
        int rank = 0;
        while (i < n) {
            char c = t.charAt(i);
            if (c == 'T') {
                if (inTime || i == n - 1) {
                    return null;
                }
                inTime = true;
                rank = 1;
                i++;
                continue;
            }
            int start = i;
            while (i < n && isDigit(t.charAt(i))) {
                i++;
            }
            if (i == start || i == n) {
                return null;
            }
            BigInteger whole = new BigInteger(t.substring(start, i));
            int fracMs = 0;
            boolean fraction = false;
            if (t.charAt(i) == '.') {
                int fs = ++i;
                while (i < n && isDigit(t.charAt(i))) {
                    i++;
                }
                int digits = i - fs;
                if (digits < 1 || digits > 9 || i == n) {
                    return null;
                }
                fracMs = Integer.parseInt((t.substring(fs, i) + "00").substring(0, 3));
                fraction = true;
            }
            char unit = t.charAt(i++);
            long unitMs;
            int unitRank;
            if (!inTime && unit == 'D') {
                unitMs = 86_400_000L;
                unitRank = 0;
            } else if (inTime && unit == 'H') {
                unitMs = 3_600_000L;
                unitRank = 1;
            } else if (inTime && unit == 'M') {
                unitMs = 60_000L;
                unitRank = 2;
            } else if (inTime && unit == 'S') {
                unitMs = 1_000L;
                unitRank = 3;
            } else {
                return null;
            }
            if (unitRank < rank || (fraction && unit != 'S')) {
                return null;
            }
            rank = unitRank + 1;
            total =
                    total.add(whole.multiply(BigInteger.valueOf(unitMs)))
                            .add(BigInteger.valueOf(fracMs));
            any = true;
        }
        return any ? total : null;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static double number(String key, JsonNode v) {
        if (!isNumber(v)) {
            throw new IllegalArgumentException(key + " must be a number, got " + v);
        }
        return v.doubleValue();
    }

    private static int count(String key, JsonNode v) {
        if (!isInteger(v) || v.bigIntegerValue().signum() <= 0) {
            throw new IllegalArgumentException(key + " must be an integer >= 1, got " + v);
        }
        // Counts beyond an int act as unlimited: no fleet has that many of anything.
        return v.canConvertToInt() ? v.intValue() : Integer.MAX_VALUE;
    }

    /** A finite JSON number whose value a double holds (a huge integer is none). */
    static boolean isNumber(JsonNode v) {
        if (v == null || !v.isNumber()) {
            return false;
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong()
                    || new BigDecimal(v.bigIntegerValue()).abs().compareTo(MAX_DOUBLE) <= 0;
        }
        if (v.isBigDecimal()) {
            return v.decimalValue().abs().compareTo(MAX_DOUBLE) <= 0;
        }
        return Double.isFinite(v.doubleValue());
    }

    /** A JSON number written without fraction or exponent, within the double range. */
    static boolean isInteger(JsonNode v) {
        return v != null && v.isIntegralNumber() && isNumber(v);
    }

    /** The effective settings as the JSON object {@code summary.json} shows. */
    public static ObjectNode toJson(Settings s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Number> e : asMap(s).entrySet()) {
            String key = e.getKey();
            Number v = e.getValue();
            if (DURATIONS.contains(key)) {
                o.put(key, Duration.ofMillis(v.longValue()).toString());
            } else if (v instanceof Double d) {
                // 90 rather than 90.0, as a person would write it; both are the same JSON number.
                if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                    o.put(key, d.longValue());
                } else {
                    o.put(key, d);
                }
            } else {
                o.put(key, v.intValue());
            }
        }
        return o;
    }

    private static Map<String, Number> asMap(Settings s) {
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("heartbeatTimeout", s.heartbeatTimeoutMs());
        m.put("outOfOrderness", s.outOfOrdernessMs());
        m.put("maxClockSkew", s.maxClockSkewMs());
        m.put("massSilenceFraction", s.massSilenceFraction());
        m.put("maxInFlightPerTarget", s.maxInFlightPerTarget());
        m.put("maxInFlightPerCluster", s.maxInFlightPerCluster());
        m.put("commandTimeout", s.commandTimeoutMs());
        m.put("maxAttempts", s.maxAttempts());
        m.put("eccWindow", s.eccWindowMs());
        m.put("eccThreshold", s.eccThreshold());
        m.put("tempThresholdC", s.tempThresholdC());
        m.put("tempWindows", s.tempWindows());
        m.put("evacuationLeadTime", s.evacuationLeadTimeMs());
        m.put("smartWindow", s.smartWindowMs());
        m.put("smartPendingRise", s.smartPendingRise());
        m.put("smartReallocatedRise", s.smartReallocatedRise());
        return m;
    }

    private static Settings fromMap(Map<String, Number> m) {
        return new Settings(
                m.get("heartbeatTimeout").longValue(),
                m.get("outOfOrderness").longValue(),
                m.get("massSilenceFraction").doubleValue(),
                m.get("maxInFlightPerTarget").intValue(),
                m.get("maxInFlightPerCluster").intValue(),
                m.get("commandTimeout").longValue(),
                m.get("maxAttempts").intValue(),
                m.get("eccWindow").longValue(),
                m.get("eccThreshold").intValue(),
                m.get("tempThresholdC").doubleValue(),
                m.get("tempWindows").intValue(),
                m.get("smartWindow").longValue(),
                m.get("smartPendingRise").intValue(),
                m.get("smartReallocatedRise").intValue(),
                m.get("evacuationLeadTime").longValue(),
                m.get("maxClockSkew").longValue());
    }
}
