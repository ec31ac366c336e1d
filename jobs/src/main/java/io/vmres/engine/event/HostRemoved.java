package io.vmres.engine.event;

/** The spec's `host-removed` event. */
public record HostRemoved(long ts, long seq, String host) implements Event {
    @Override
    public String type() {
        return "host-removed";
    }
}
