package io.vmres.engine.event;

/** The spec's `operator-confirm` event. */
public record OperatorConfirm(long ts, long seq, String host, String requestedBy, String reason)
        implements Event {
    @Override
    public String type() {
        return "operator-confirm";
    }
}
