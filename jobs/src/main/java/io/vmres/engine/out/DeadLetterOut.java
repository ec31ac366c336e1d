package io.vmres.engine.out;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.io.Serializable;

/** A rejected input line: a line of {@code dead-letter.jsonl}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"line", "reason", "raw"})
public record DeadLetterOut(long line, String reason, String raw) implements Serializable {}
