package io.vmres.engine.fleet;

/** The two heartbeat channels of a host (spec: Heartbeats). */
public enum Channel {
    MGMT,
    STORAGE;

    /** The channel of a heartbeat as the input names it (validated by the parser). */
    public static Channel of(String name) {
        return "mgmt".equals(name) ? MGMT : STORAGE;
    }
}
