package io.vmres.engine.event;

/** The spec's `vm-removed` event. */
public record VmRemoved(long ts, long seq, String vm) implements Event {
    @Override
    public String type() {
        return "vm-removed";
    }
}
