package io.vmres.engine.event;

/** The spec's `maintenance-end` event. */
public record MaintenanceEnd(long ts, long seq, String host) implements Event {
    @Override
    public String type() {
        return "maintenance-end";
    }
}
