package io.vmres.engine.incident;

/** The kinds of incident of the spec (spec: Incidents). */
public enum IncidentKind {
    HOST_FAILURE,
    NEEDS_CONFIRMATION,
    TELEMETRY_OUTAGE,
    HOST_ISOLATED,
    PREDICTED_FAILURE,
    MAINTENANCE;

    /** A host failure, confirmed by the engine or awaiting an operator's confirmation. */
    public boolean failure() {
        return this == HOST_FAILURE || this == NEEDS_CONFIRMATION;
    }

    /** A drain: VMs move away from a host that still runs. */
    public boolean drain() {
        return this == PREDICTED_FAILURE || this == MAINTENANCE;
    }
}
