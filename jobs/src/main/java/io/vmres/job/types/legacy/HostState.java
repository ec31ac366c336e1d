package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.fleet.HostState} (fields only; see {@link V1State}).
 */
final class HostState implements Serializable {
    private static final long serialVersionUID = 1L;
    boolean draining;
    boolean hardDown;
    boolean inMaintenance;
    long lastDeclaredTs;
    boolean registered;
    long removedTs;
    long statusTs;
    boolean[] armed;
    boolean[] beatSince;
    String id;
    String incidentId;
    java.util.TreeSet<?> incoming;
    long[] lastBeat;
    long[] lossTs;
    boolean[] lost;
    String maintenanceIncident;
    String power;
    String predictedIncident;
    HostEvent record;
    HostState.Status status;
    boolean[] used;
    java.util.TreeSet<?> vms;

    /** Version 1 mirror of {@code io.vmres.engine.fleet.HostState$Status}. */
    enum Status {
        NORMAL,
        ISOLATED,
        FAILED,
        OUTAGE
    }
}
