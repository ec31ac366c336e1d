package io.vmres.engine.event;

/** The spec's `maintenance` event. */
public record Maintenance(
        long ts, long seq, String host, long deadline, String reason, String requestedBy)
        implements Event {
    @Override
    public String type() {
        return "maintenance";
    }
}
