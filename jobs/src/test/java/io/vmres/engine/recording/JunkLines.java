package io.vmres.engine.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Bad recording lines made from good ones, each of which the spec makes bad input: truncated,
 * wrongly typed, oversized, nested too deep, out of range, unknown, garbage. Every one is a dead
 * letter; none changes a decision.
 */
final class JunkLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JunkLines() {}

    /** A bad line derived from one of {@code good} (event lines, no meta). */
    static Arbitrary<String> from(List<String> good) {
        Arbitrary<String> line = Arbitraries.of(good);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, truncated(line)),
                net.jqwik.api.Tuple.of(4, wronglyTyped(line)),
                net.jqwik.api.Tuple.of(2, oversizedId(line)),
                net.jqwik.api.Tuple.of(2, outOfRange(line)),
                net.jqwik.api.Tuple.of(1, deep()),
                net.jqwik.api.Tuple.of(2, unknownType(line)),
                net.jqwik.api.Tuple.of(2, missingField(line)),
                net.jqwik.api.Tuple.of(2, garbage()));
    }

    private static Arbitrary<String> truncated(Arbitrary<String> line) {
        return Combinators.combine(line, Arbitraries.integers().between(0, 998))
                .as((l, f) -> l.substring(0, 1 + (int) (f / 1000.0 * (l.length() - 1))));
    }

    /** A field of the event's own row given a value of another JSON type. */
    private static Arbitrary<String> wronglyTyped(Arbitrary<String> line) {
        return Combinators.combine(
                        line,
                        Arbitraries.integers().between(0, 50),
                        Arbitraries.of("5", "true", "null", "[]", "{}", "\"x\"", "-1.5", "\"\""))
                .as(
                        (l, which, value) -> {
                            ObjectNode o = parse(l);
                            List<String> fields = validatedFields(o);
                            String f = fields.get(which % fields.size());
                            JsonNode old = o.get(f);
                            JsonNode v = parseValue(value);
                            if (old != null && old.getNodeType() == v.getNodeType()) {
                                // same type: make it a type no field of the row takes
                                v = parseValue("{}");
                            }
                            o.set(f, v);
                            return o.toString();
                        });
    }

    private static Arbitrary<String> oversizedId(Arbitrary<String> line) {
        return Combinators.combine(line, Arbitraries.integers().between(257, 70_000))
                .as(
                        (l, n) -> {
                            ObjectNode o = parse(l);
                            String f = o.has("host") ? "host" : o.has("vm") ? "vm" : "powerDomain";
                            o.put(f, "h".repeat(n));
                            return o.toString();
                        });
    }

    private static Arbitrary<String> outOfRange(Arbitrary<String> line) {
        return Combinators.combine(
                        line,
                        Arbitraries.of(
                                "\"2026-13-01T10:00:00Z\"",
                                "\"2026-02-30T10:00:00Z\"",
                                "\"2026-03-01T24:00:00Z\"",
                                "\"2026-03-01T10:00:60Z\"",
                                "\"2026-03-01T10:00:00+00:00\"",
                                "\"2026-03-01T10:00:00.1234567890Z\"",
                                "\"10000-03-01T10:00:00Z\"",
                                "1e999",
                                "NaN"))
                .as(
                        (l, ts) -> {
                            // the raw text: Jackson would not write NaN or 1e999 as given
                            ObjectNode o = parse(l);
                            o.put("ts", "@TS@");
                            return o.toString().replace("\"@TS@\"", ts);
                        });
    }

    private static Arbitrary<String> deep() {
        return Arbitraries.integers()
                .between(64, 2_000)
                .map(
                        n ->
                                "{\"type\":\"heartbeat\",\"ts\":\"2026-03-01T10:00:00Z\","
                                        + "\"host\":\"h-001\",\"channel\":\"mgmt\",\"x\":"
                                        + "[".repeat(n)
                                        + "]".repeat(n)
                                        + "}");
    }

    private static Arbitrary<String> unknownType(Arbitrary<String> line) {
        return Combinators.combine(line, Arbitraries.of("HEARTBEAT", "reboot", "", "vm ", "Host"))
                .as(
                        (l, t) -> {
                            ObjectNode o = parse(l);
                            o.put("type", t);
                            return o.toString();
                        });
    }

    private static Arbitrary<String> missingField(Arbitrary<String> line) {
        return Combinators.combine(line, Arbitraries.integers().between(0, 50))
                .as(
                        (l, which) -> {
                            ObjectNode o = parse(l);
                            List<String> required =
                                    List.of("type", "ts").stream().filter(o::has).toList();
                            o.remove(required.get(which % required.size()));
                            return o.toString();
                        });
    }

    /** Printable garbage that is neither blank, a comment nor a JSON object. */
    private static Arbitrary<String> garbage() {
        return Arbitraries.strings()
                .withCharRange(' ', '~')
                .withChars('é', '\u0000', '€')
                .ofMinLength(1)
                .ofMaxLength(200)
                .map(s -> "#" + s);
    }

    private static ObjectNode parse(String line) {
        try {
            return (ObjectNode) JSON.readTree(line);
        } catch (Exception e) {
            throw new IllegalArgumentException(line, e);
        }
    }

    private static JsonNode parseValue(String v) {
        try {
            return JSON.readTree(v);
        } catch (Exception e) {
            throw new IllegalArgumentException(v, e);
        }
    }

    /** Fields that the spec validates on every line of that type (its row, and ts). */
    private static List<String> validatedFields(ObjectNode o) {
        return switch (o.path("type").asText()) {
            case "heartbeat" -> List.of("host", "channel", "ts");
            case "power" -> List.of("host", "state", "ts");
            case "power-domain" -> List.of("powerDomain", "state", "ts");
            case "health" -> List.of("host", "sensor", "value", "ts");
            case "host" -> List.of("host", "cluster", "cpu", "memMb", "ts");
            case "vm" -> List.of("vm", "host", "cpu", "memMb", "ts");
            case "host-removed", "maintenance-end" -> List.of("host", "ts");
            case "vm-removed" -> List.of("vm", "ts");
            case "maintenance" -> List.of("host", "deadline", "ts");
            case "operator-confirm" -> List.of("host", "ts");
            case "sim-fault" -> List.of("action", "count", "ts");
            default -> List.of("ts");
        };
    }
}
