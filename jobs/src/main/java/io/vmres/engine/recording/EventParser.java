package io.vmres.engine.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.engine.ClockRule;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one line of a recording into an input event, or says why it is bad input, following the
 * spec's "Validation and serialization" rules: strict JSON, one object per line, and only the
 * fields of the event's own row of the input table checked.
 */
public final class EventParser {

    /** What one line holds. */
    public sealed interface ParsedLine permits Skip, Valid, Meta, Bad {}

    /** A blank or comment line: ignored, not counted. */
    public record Skip() implements ParsedLine {}

    /**
     * A valid input event (its {@code seq} is the line number) and the time it reached the
     * pipeline, {@code recvTs}, or {@link ClockRule#NO_RECV_TS} when the line has none.
     */
    public record Valid(Event event, long recvTs) implements ParsedLine {}

    /** A valid {@code meta} line; {@code config} is a valid settings object, or null. */
    public record Meta(String name, JsonNode config) implements ParsedLine {}

    /** Bad input, with a short reason. */
    public record Bad(String reason) implements ParsedLine {}

    private static final Skip SKIP = new Skip();

    /** The spec's bounds: a line, an identifier, a free text (in characters, as code points). */
    public static final int MAX_LINE_CHARS = 1_048_576;

    public static final int MAX_ID_CHARS = 256;
    public static final int MAX_TEXT_CHARS = 4_096;

    /** Free texts: every other text field is an identifier. */
    private static final Set<String> FREE_TEXT =
            Set.of("name", "description", "reason", "requestedBy");

    /** Fields of each row, required first: the only fields ever read. */
    private static final Map<String, List<String>> REQUIRED =
            Map.ofEntries(
                    Map.entry("meta", List.of("name")),
                    Map.entry("host", List.of("host", "cluster", "cpu", "memMb", "ts")),
                    Map.entry("host-removed", List.of("host", "ts")),
                    Map.entry("vm", List.of("vm", "host", "cpu", "memMb", "ts")),
                    Map.entry("vm-removed", List.of("vm", "ts")),
                    Map.entry("heartbeat", List.of("host", "channel", "ts")),
                    Map.entry("power", List.of("host", "state", "ts")),
                    Map.entry("power-domain", List.of("powerDomain", "state", "ts")),
                    Map.entry("health", List.of("host", "sensor", "value", "ts")),
                    Map.entry("maintenance", List.of("host", "deadline", "ts")),
                    Map.entry("maintenance-end", List.of("host", "ts")),
                    Map.entry("operator-confirm", List.of("host", "ts")),
                    Map.entry("sim-fault", List.of("action", "count", "ts")));

    private static final Set<String> CHANNELS = Set.of("mgmt", "storage");
    private static final Set<String> POWER_STATES = Set.of("on", "off", "unknown");
    private static final Set<String> ACTIONS =
            Set.of("FENCE_HOST", "MAP_DISKS", "RESTART_VM", "LIVE_MIGRATE_VM");

    private EventParser() {}

    /** True for a blank line (space, tab, CR only) or a comment line (first non-blank is //). */
    public static boolean isIgnorable(String line) {
        int i = firstNonBlank(line);
        return i == line.length() || line.startsWith("//", i);
    }

    private static int firstNonBlank(String line) {
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    /** Parses one line (without its break); {@code seq} becomes the event's seq. */
    public static ParsedLine parse(String line, long seq) {
        int first = firstNonBlank(line);
        if (first == line.length() || line.startsWith("//", first)) {
            return SKIP;
        }
        // Bounds first, before any parsing: no line can exhaust a reader's memory or stack.
        if (isTooLong(line)) {
            return new Bad("line longer than " + MAX_LINE_CHARS + " characters");
        }
        // Anything but an object is bad anyway; checking the first character spares a parse.
        if (line.charAt(first) != '{') {
            return new Bad("not a JSON object");
        }
        JsonNode o;
        try {
            o = Json.STRICT.readTree(line);
        } catch (StreamConstraintsException e) {
            return new Bad("arrays and objects nested more than " + Json.MAX_DEPTH + " deep");
        } catch (JsonProcessingException e) {
            return new Bad("not JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) {
            return new Bad("not a JSON object");
        }
        // Only a line longer than the limit can hold such an integer: short lines skip the walk.
        if (line.length() > Json.MAX_INTEGER_DIGITS && hasHugeInteger(o)) {
            return new Bad(
                    "not JSON: an integer of more than " + Json.MAX_INTEGER_DIGITS + " digits");
        }
        try {
            return read(o, seq);
        } catch (BadInput e) {
            return new Bad(e.getMessage());
        }
    }

    private static boolean hasHugeInteger(JsonNode n) {
        if (n.isBigInteger()) {
            return n.bigIntegerValue().abs().toString().length() > Json.MAX_INTEGER_DIGITS;
        }
        for (JsonNode child : n) {
            if (hasHugeInteger(child)) {
                return true;
            }
        }
        return false;
    }

    private static ParsedLine read(JsonNode o, long seq) throws BadInput {
        JsonNode typeNode = o.get("type");
        if (typeNode == null
                || !typeNode.isTextual()
                || !REQUIRED.containsKey(typeNode.textValue())) {
            throw new BadInput(
                    typeNode == null
                            ? "missing type"
                            : "unknown type " + abbreviate(typeNode.toString()));
        }
        String type = typeNode.textValue();
        for (String k : REQUIRED.get(type)) {
            if (!o.has(k)) {
                throw new BadInput("missing " + k);
            }
        }
        if ("meta".equals(type)) {
            text(o, "name");
            optText(o, "description");
            JsonNode config = o.get("config");
            if (config != null) {
                try {
                    SettingsParser.applyConfig(Settings.DEFAULTS, config);
                } catch (IllegalArgumentException e) {
                    throw new BadInput("bad config: " + e.getMessage());
                }
            }
            return new Meta(o.get("name").textValue(), config);
        }
        long ts = ts(o, "ts");
        Event e =
                switch (type) {
                    case "host" ->
                            new HostEvent(
                                    ts,
                                    seq,
                                    text(o, "host"),
                                    text(o, "cluster"),
                                    nonNegative(o, "cpu"),
                                    nonNegative(o, "memMb"),
                                    optText(o, "rack"),
                                    optText(o, "powerDomain"),
                                    orDefault(optText(o, "hypervisor"), "kvm"),
                                    optList(o, "storageDomains"),
                                    optBool(o, "spare", false),
                                    optBool(o, "bmc", true));
                    case "host-removed" -> new HostRemoved(ts, seq, text(o, "host"));
                    case "vm" ->
                            new VmEvent(
                                    ts,
                                    seq,
                                    text(o, "vm"),
                                    text(o, "host"),
                                    nonNegative(o, "cpu"),
                                    nonNegative(o, "memMb"),
                                    optPriority(o),
                                    optBool(o, "ha", true),
                                    optText(o, "antiAffinityGroup"),
                                    optText(o, "storageDomain"),
                                    optList(o, "disks"),
                                    optList(o, "dependsOn"));
                    case "vm-removed" -> new VmRemoved(ts, seq, text(o, "vm"));
                    case "heartbeat" ->
                            new Heartbeat(ts, seq, text(o, "host"), oneOf(o, "channel", CHANNELS));
                    case "power" ->
                            new Power(ts, seq, text(o, "host"), oneOf(o, "state", POWER_STATES));
                    case "power-domain" ->
                            new PowerDomainReading(
                                    ts,
                                    seq,
                                    text(o, "powerDomain"),
                                    oneOf(o, "state", POWER_STATES),
                                    optText(o, "source"));
                    case "health" ->
                            new Health(
                                    ts,
                                    seq,
                                    text(o, "host"),
                                    text(o, "sensor"),
                                    number(o, "value"),
                                    optText(o, "component"));
                    case "maintenance" ->
                            new Maintenance(
                                    ts,
                                    seq,
                                    text(o, "host"),
                                    ts(o, "deadline"),
                                    optText(o, "reason"),
                                    optText(o, "requestedBy"));
                    case "maintenance-end" -> new MaintenanceEnd(ts, seq, text(o, "host"));
                    case "operator-confirm" ->
                            new OperatorConfirm(
                                    ts,
                                    seq,
                                    text(o, "host"),
                                    optText(o, "requestedBy"),
                                    optText(o, "reason"));
                    case "sim-fault" ->
                            new SimFault(
                                    ts,
                                    seq,
                                    oneOf(o, "action", ACTIONS),
                                    count(o),
                                    optText(o, "host"),
                                    optText(o, "target"),
                                    optText(o, "vm"));
                    default -> throw new IllegalStateException("no reader for type " + type);
                };
        long recvTs = o.has("recvTs") ? ts(o, "recvTs") : ClockRule.NO_RECV_TS;
        return new Valid(e, recvTs);
    }

    private static String orDefault(String v, String dflt) {
        return v == null ? dflt : v;
    }

    private static String text(JsonNode o, String k) throws BadInput {
        JsonNode v = o.get(k);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
            throw bad(k, "must be a non-empty string", v);
        }
        int max = FREE_TEXT.contains(k) ? MAX_TEXT_CHARS : MAX_ID_CHARS;
        if (longerThan(v.textValue(), max)) {
            throw new BadInput("bad " + k + ": longer than " + max + " characters");
        }
        return v.textValue();
    }

    /** More than {@code max} characters (code points, as the spec and Python count them). */
    private static boolean longerThan(String s, int max) {
        return s.length() > max && s.codePointCount(0, s.length()) > max;
    }

    private static boolean isTooLong(String line) {
        return longerThan(line, MAX_LINE_CHARS);
    }

    private static String optText(JsonNode o, String k) throws BadInput {
        return o.has(k) ? text(o, k) : null;
    }

    private static double number(JsonNode o, String k) throws BadInput {
        JsonNode v = o.get(k);
        if (!SettingsParser.isNumber(v)) {
            throw bad(k, "must be a finite number", v);
        }
        return v.doubleValue();
    }

    private static double nonNegative(JsonNode o, String k) throws BadInput {
        JsonNode v = o.get(k);
        if (!SettingsParser.isNumber(v) || v.doubleValue() < 0) {
            throw bad(k, "must be a number >= 0", v);
        }
        return v.doubleValue();
    }

    private static boolean optBool(JsonNode o, String k, boolean dflt) throws BadInput {
        JsonNode v = o.get(k);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw bad(k, "must be true or false", v);
        }
        return v.booleanValue();
    }

    private static List<String> optList(JsonNode o, String k) throws BadInput {
        JsonNode v = o.get(k);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw bad(k, "must be a list of non-empty strings", v);
        }
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode x : v) {
            if (!x.isTextual() || x.textValue().isEmpty()) {
                throw bad(k, "must be a list of non-empty strings", v);
            }
            if (longerThan(x.textValue(), MAX_ID_CHARS)) {
                throw new BadInput(
                        "bad " + k + ": an item longer than " + MAX_ID_CHARS + " characters");
            }
            out.add(x.textValue());
        }
        return List.copyOf(out);
    }

    private static int optPriority(JsonNode o) throws BadInput {
        JsonNode v = o.get("priority");
        if (v == null) {
            return 500;
        }
        if (!SettingsParser.isInteger(v)
                || !v.canConvertToInt()
                || v.intValue() < 0
                || v.intValue() > 1000) {
            throw bad("priority", "must be an integer 0..1000", v);
        }
        return v.intValue();
    }

    private static int count(JsonNode o) throws BadInput {
        JsonNode v = o.get("count");
        if (!SettingsParser.isInteger(v) || v.bigIntegerValue().signum() < 0) {
            throw bad("count", "must be an integer >= 0", v);
        }
        // A count beyond an int is, in effect, unlimited: no replay issues that many commands.
        return v.canConvertToInt() ? v.intValue() : Integer.MAX_VALUE;
    }

    private static String oneOf(JsonNode o, String k, Set<String> values) throws BadInput {
        JsonNode v = o.get(k);
        if (v == null || !v.isTextual() || !values.contains(v.textValue())) {
            throw bad(
                    k, "must be one of " + String.join(", ", values.stream().sorted().toList()), v);
        }
        return v.textValue();
    }

    private static long ts(JsonNode o, String k) throws BadInput {
        JsonNode v = o.get(k);
        long t = v != null && v.isTextual() ? parseTs(v.textValue()) : Long.MIN_VALUE;
        if (t == Long.MIN_VALUE) {
            throw bad(k, "must be a time YYYY-MM-DDThh:mm:ss[.f]Z", v);
        }
        return t;
    }

    /**
     * The spec's time grammar, checked by hand because it runs on every line: {@code
     * YYYY-MM-DDThh:mm:ss}, optionally {@code .} and 1 to 9 digits, then {@code Z}; a real
     * Gregorian date (years 0001-9999) and time of day. Same result as {@link Times#parse}.
     *
     * @return epoch milliseconds, digits past the third of the fraction truncated, or {@link
     *     Long#MIN_VALUE} when the text is not a time
     */
    static long parseTs(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z') {
            return Long.MIN_VALUE;
        }
        if (s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return Long.MIN_VALUE;
        }
        int millis = 0;
        if (n > 20) {
            // A fraction: '.' then 1 to 9 digits, then the final 'Z'.
            if (s.charAt(19) != '.' || n < 22) {
                return Long.MIN_VALUE;
            }
            int fracDigits = n - 21;
            int frac = digits(s, 20, n - 1);
            if (frac < 0) {
                return Long.MIN_VALUE;
            }
            millis = fracDigits >= 3 ? digits(s, 20, 23) : frac * (fracDigits == 1 ? 100 : 10);
        } else if (s.charAt(19) != 'Z') {
            return Long.MIN_VALUE;
        }
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) {
            return Long.MIN_VALUE;
        }
        if (hour > 23 || minute > 59 || second > 59) {
            return Long.MIN_VALUE;
        }
        long days = epochDay(year, month, day);
        return (days * 86_400L + hour * 3600L + minute * 60L + second) * 1000L + millis;
    }

    /** The value of ASCII digits s[from, to), or -1 when any is not one. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long epochDay(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }

    private static BadInput bad(String field, String rule, JsonNode got) {
        return new BadInput(
                "bad "
                        + field
                        + ": "
                        + rule
                        + ", got "
                        + (got == null ? "nothing" : abbreviate(got.toString())));
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** Bad input found while reading a line; becomes the dead letter's reason. */
    private static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;

        BadInput(String reason) {
            // No stack trace: bad input is data, not a fault of the program.
            super(reason, null, false, false);
        }
    }
}
