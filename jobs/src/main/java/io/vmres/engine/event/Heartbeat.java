package io.vmres.engine.event;

/** The spec's `heartbeat` event. */
public record Heartbeat(long ts, long seq, String host, String channel) implements Event {
    @Override
    public String type() {
        return "heartbeat";
    }
}
