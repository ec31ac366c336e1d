package io.vmres.engine.event;

/**
 * A connector's answer to a command (production; in replay the simulated hypervisor answers inside
 * the engine).
 */
public record CommandResultEvent(long ts, long seq, String commandId, String status, String detail)
        implements Event {
    @Override
    public String type() {
        return "command-result";
    }
}
