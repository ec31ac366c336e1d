package io.vmres.engine.out;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.vmres.engine.Times;
import java.io.Serializable;

/** A command's outcome: a line of {@code results.jsonl}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"commandId", "status", "detail", "ts"})
public record ResultOut(
    String commandId, String status, String detail, @JsonSerialize(using = Times.Json.class) long ts)
    implements Serializable {}
