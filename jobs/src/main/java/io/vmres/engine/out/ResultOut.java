package io.vmres.engine.out;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.vmres.engine.Times;
import java.io.Serializable;

/**
 * A command's outcome: a line of {@code results.jsonl}.
 *
 * @param echo the outcome came in as a connector's result (production) rather than being decided by
 *     the engine (a simulated answer, or the engine's own command timeout): the live job does not
 *     write it back to the results topic, where the connector already wrote it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"commandId", "status", "detail", "ts"})
public record ResultOut(
        String commandId,
        String status,
        String detail,
        @JsonSerialize(using = Times.Json.class) long ts,
        @JsonIgnore boolean echo)
        implements Serializable {
    /** An outcome the engine decided. */
    public ResultOut(String commandId, String status, String detail, long ts) {
        this(commandId, status, detail, ts, false);
    }
}
