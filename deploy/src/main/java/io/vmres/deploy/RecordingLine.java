package io.vmres.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.engine.Times;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Host;
import io.vmres.schema.HostRemoved;
import io.vmres.schema.Maintenance;
import io.vmres.schema.MaintenanceEnd;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Power;
import io.vmres.schema.Vm;
import io.vmres.schema.VmRemoved;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * One input record of the vmres topics as a recording line: {@code type}, {@code ts} in the spec's
 * grammar, then the record's fields under their spec names (the Avro schemas use the same names).
 */
public final class RecordingLine {
    /** The recording {@code type} of each input record class; other records are no input event. */
    private static final Map<Class<? extends SpecificRecord>, String> TYPES =
            Map.of(
                    Host.class, "host",
                    HostRemoved.class, "host-removed",
                    Vm.class, "vm",
                    VmRemoved.class, "vm-removed",
                    Heartbeat.class, "heartbeat",
                    Power.class, "power",
                    Health.class, "health",
                    Maintenance.class, "maintenance",
                    MaintenanceEnd.class, "maintenance-end",
                    OperatorConfirm.class, "operator-confirm");

    private static final ObjectMapper JSON = new ObjectMapper();

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
        line.put("ts", Times.format(((Instant) record.get(tsField.pos())).toEpochMilli()));
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
        ObjectNode line = JSON.createObjectNode();
        line.put("type", "meta");
        line.put("name", name);
        line.put("description", description);
        return line;
    }

    private static JsonNode json(Object value, String field) {
        if (value instanceof CharSequence s) {
            return JSON.getNodeFactory().textNode(s.toString());
        }
        if (value instanceof Instant t) {
            return JSON.getNodeFactory().textNode(Times.format(t.toEpochMilli()));
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
