package io.vmres.engine.event;

/**
 * Not an input of the spec's table, and never in a recording: the live job's own note that the
 * telemetry of {@code host} cannot be read ({@code resumed} false), because the Kafka partition
 * that carries its heartbeats ({@code partition}) stalled, or that it is read again ({@code
 * resumed} true). The job's partition watch puts it into the input: a stall stamped with the
 * partition's latest event time, so that the engine of the host's cluster applies it before the
 * host's loss timers can fire; a resume at the partition's event time when its data flows again. A
 * stalled host is not classified; from its resume its silence counts afresh.
 */
public record TelemetryStall(long ts, long seq, String host, String partition, boolean resumed)
        implements Event {
    @Override
    public String type() {
        return resumed ? "telemetry-resumed" : "telemetry-stalled";
    }
}
