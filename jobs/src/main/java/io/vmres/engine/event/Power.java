package io.vmres.engine.event;

/** The spec's `power` event. */
public record Power(long ts, long seq, String host, String state) implements Event {
    @Override
    public String type() {
        return "power";
    }
}
