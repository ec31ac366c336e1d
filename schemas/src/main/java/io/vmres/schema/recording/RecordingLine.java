package io.vmres.schema.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Host;
import io.vmres.schema.HostRemoved;
import io.vmres.schema.Maintenance;
import io.vmres.schema.MaintenanceEnd;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Power;
import io.vmres.schema.PowerDomain;
import io.vmres.schema.Vm;
import io.vmres.schema.VmRemoved;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * One input record of the vmres topics as a recording line: {@code type}, {@code ts} in the spec's
 * grammar, then the record's fields under their spec names (the Avro schemas use the same names). A
 * number without a fraction is written without one ({@code 64}, not {@code 64.0}). {@link
 * RecordingWriter} writes these lines.
 */
public final class RecordingLine {
    /** The recording {@code type} of each input record class; other records are no input event. */
    private static final Map<Class<? extends SpecificRecord>, String> TYPES =
            Map.ofEntries(
                    Map.entry(Host.class, "host"),
                    Map.entry(HostRemoved.class, "host-removed"),
                    Map.entry(Vm.class, "vm"),
                    Map.entry(VmRemoved.class, "vm-removed"),
                    Map.entry(Heartbeat.class, "heartbeat"),
                    Map.entry(Power.class, "power"),
                    Map.entry(PowerDomain.class, "power-domain"),
                    Map.entry(Health.class, "health"),
                    Map.entry(Maintenance.class, "maintenance"),
                    Map.entry(MaintenanceEnd.class, "maintenance-end"),
                    Map.entry(OperatorConfirm.class, "operator-confirm"));

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The spec's timestamps as vmres writes them: milliseconds, UTC. */
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private RecordingLine() {}

    /** The recording {@code type} of a record, empty when it is not an input event. */
    public static Optional<String> type(SpecificRecord record) {
        return Optional.ofNullable(TYPES.get(record.getClass()));
    }

    /**
     * The line of an input event, without its line break.
     *
     * @throws IllegalArgumentException when the record is no input event, or holds a value JSON
     *     cannot carry (a number that is not finite)
     */
    public static ObjectNode of(SpecificRecord record) {
        String type =
                type(record)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                record.getSchema().getName()
                                                        + " is not an input event"));
        ObjectNode line = JSON.createObjectNode();
        line.put("type", type);
        Schema schema = record.getSchema();
        Schema.Field tsField = schema.getField("ts");
        line.put("ts", timestamp((Instant) record.get(tsField.pos())));
        for (Schema.Field f : schema.getFields()) {
            if (f == tsField) {
                continue;
            }
            Object value = record.get(f.pos());
            // The spec reads a null optional field as a bad value: leave it out instead.
            if (value != null) {
                line.set(f.name(), json(value, f.name()));
            }
        }
        return line;
    }

    /** The first line of a recording: its name and how it came to be. */
    public static ObjectNode meta(String name, String description) {
        return meta(name, description, Map.of());
    }

    /**
     * The first line of a recording with settings for its replay ({@code config}, left out when
     * empty), in the map's order.
     */
    public static ObjectNode meta(String name, String description, Map<String, String> config) {
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "meta");
        line.put("name", name);
        line.put("description", description);
        if (!config.isEmpty()) {
            ObjectNode settings = line.putObject("config");
            config.forEach(settings::put);
        }
        return line;
    }

    /** An instant in the spec's grammar, {@code YYYY-MM-DDThh:mm:ss.sssZ}. */
    public static String timestamp(Instant t) {
        return TS.format(t);
    }

    private static JsonNode json(Object value, String field) {
        if (value instanceof CharSequence s) {
            return JSON.getNodeFactory().textNode(s.toString());
        }
        if (value instanceof Instant t) {
            return JSON.getNodeFactory().textNode(timestamp(t));
        }
        if (value instanceof Boolean b) {
            return JSON.getNodeFactory().booleanNode(b);
        }
        if (value instanceof Integer || value instanceof Long) {
            return JSON.getNodeFactory().numberNode(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException(field + " is " + d + ", not a JSON number");
            }
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return JSON.getNodeFactory().numberNode((long) d); // 64, not 64.0
            }
            return JSON.getNodeFactory().numberNode(d);
        }
        if (value instanceof Enum<?> e) {
            return JSON.getNodeFactory().textNode(e.name()); // the symbols are the spec's values
        }
        if (value instanceof List<?> list) {
            ArrayNode array = JSON.createArrayNode();
            for (Object item : list) {
                array.add(json(item, field));
            }
            return array;
        }
        throw new IllegalArgumentException(
                field
                        + " holds a "
                        + value.getClass().getSimpleName()
                        + ", which has no JSON form here");
    }
}
