package io.vmres.engine.execute;

import java.io.Serializable;
import java.util.TreeSet;

/** The recovery (restart) or drain (live migration) of one VM owed by one incident. */
public final class VmJob implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where the job stands. */
    public enum Phase {
        TO_PLACE,
        PLACED,
        MAPPING,
        READY,
        IN_FLIGHT,
        DONE,
        GIVEN_UP,
        DROPPED
    }

    public final String incidentId;
    public final String vm;
    public final String source;
    public final boolean restart;
    public Phase phase = Phase.TO_PLACE;
    public String target;

    /** Restart or migration commands issued so far. */
    public int attempts;

    /** MAP_DISKS commands holding its disks that failed. */
    public int mapFailures;

    public final TreeSet<String> failedTargets = new TreeSet<>();

    /** Targets its disks were mapped to successfully. */
    public final TreeSet<String> mappedOn = new TreeSet<>();

    /** A failed answer is not retried (its maintenance ended meanwhile). */
    public boolean noRetry;

    /** Ready but waiting for a dependency to run. */
    public boolean waitingDeps;

    public VmJob(String incidentId, String vm, String source, boolean restart) {
        this.incidentId = incidentId;
        this.vm = vm;
        this.source = source;
        this.restart = restart;
    }

    public boolean active() {
        return phase != Phase.DONE && phase != Phase.GIVEN_UP && phase != Phase.DROPPED;
    }
}
