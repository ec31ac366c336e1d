package io.vmres.engine.out;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Times;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * An incident opened, changed or closed: a line of {@code incidents.jsonl}. {@code evidence} is a
 * JSON-like tree of maps (sorted or insertion-ordered, so that output is deterministic), lists,
 * strings and numbers. {@code figures}, the incident's summary figures at this line, go with it to
 * the incidents topic; {@code incidents.jsonl} does not carry them ({@code summary.json} does).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"incidentId", "kind", "hosts", "state", "evidence", "ts"})
public record IncidentOut(
        String incidentId,
        String kind,
        List<String> hosts,
        String state,
        Map<String, Object> evidence,
        @JsonSerialize(using = Times.Json.class) long ts,
        @JsonIgnore IncidentFigures figures)
        implements Serializable {

    /** A line without figures. */
    public IncidentOut(
            String incidentId,
            String kind,
            List<String> hosts,
            String state,
            Map<String, Object> evidence,
            long ts) {
        this(incidentId, kind, hosts, state, evidence, ts, null);
    }
}
