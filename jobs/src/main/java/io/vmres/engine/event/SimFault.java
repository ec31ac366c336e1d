package io.vmres.engine.event;

/** The spec's `sim-fault` event. */
public record SimFault(
        long ts, long seq, String action, int count, String host, String target, String vm)
        implements Event {
    @Override
    public String type() {
        return "sim-fault";
    }
}
