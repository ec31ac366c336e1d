package io.vmres.engine.out;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.vmres.engine.Times;
import java.io.Serializable;
import java.util.List;

/** A command issued to a connector: a line of {@code commands.jsonl}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
    "commandId",
    "incidentId",
    "action",
    "host",
    "target",
    "vm",
    "vms",
    "disks",
    "attempt",
    "priority",
    "ts"
})
public record CommandOut(
        String commandId,
        String incidentId,
        String action,
        String host,
        String target,
        String vm,
        List<String> vms,
        List<String> disks,
        int attempt,
        Integer priority,
        @JsonSerialize(using = Times.Json.class) long ts)
        implements Serializable {}
