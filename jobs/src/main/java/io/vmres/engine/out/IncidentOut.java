package io.vmres.engine.out;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.vmres.engine.Times;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * An incident opened, changed or closed: a line of {@code incidents.jsonl}. {@code evidence} is a
 * JSON-like tree of maps (sorted or insertion-ordered, so that output is deterministic), lists,
 * strings and numbers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"incidentId", "kind", "hosts", "state", "evidence", "ts"})
public record IncidentOut(
    String incidentId,
    String kind,
    List<String> hosts,
    String state,
    Map<String, Object> evidence,
    @JsonSerialize(using = Times.Json.class) long ts)
    implements Serializable {}
