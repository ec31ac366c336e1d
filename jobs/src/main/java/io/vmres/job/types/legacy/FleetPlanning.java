package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.plan.FleetPlanning} (fields only; see {@link
 * V1State}).
 */
final class FleetPlanning implements Serializable {
    private static final long serialVersionUID = 1L;
    long freshRounds;
    boolean lookNow;
    long nextDomainLook;
    long nextLook;
    long prestagedRounds;
    long updates;
    Admission admission;
    String cluster;
    GreedyPlacer fallback;
    Ledger ledger;
    BalancedPlacer placer;
    PrestagedPlans plans;
    java.util.HashMap<?, ?> seen;
    java.util.TreeSet<?> touched;

    /** Version 1 mirror of {@code io.vmres.engine.plan.FleetPlanning$Seen}. */
    static final class Seen implements Serializable {
        private static final long serialVersionUID = 1L;
        boolean alive;
        boolean draining;
        boolean inDomain;
        boolean inMaintenance;
        int incoming;
        boolean registered;
        int vms;
        HostEvent record;
        HostState.Status status;
    }
}
