package io.vmres.engine.event;

/** The spec's `health` event. */
public record Health(long ts, long seq, String host, String sensor, double value, String component)
        implements Event {
    @Override
    public String type() {
        return "health";
    }
}
