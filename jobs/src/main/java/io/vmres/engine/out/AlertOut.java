package io.vmres.engine.out;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.vmres.engine.Times;
import java.io.Serializable;
import java.util.List;

/** Something an operator must see: a line of {@code alerts.jsonl}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"kind", "incidentId", "host", "vms", "detail", "ts"})
public record AlertOut(
        String kind,
        String incidentId,
        String host,
        List<String> vms,
        String detail,
        @JsonSerialize(using = Times.Json.class) long ts)
        implements Serializable {}
