package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.ClusterEngine} (fields only; see {@link V1State}). */
final class ClusterEngine implements Serializable {
    private static final long serialVersionUID = 1L;
    int clusterInflight;
    boolean dirty;
    boolean hostInput;
    int incidentSeq;
    long inputEnd;
    boolean inventoryInput;
    long nextPruneTs;
    long now;
    boolean predictionsFromInput;
    long timerSeq;
    String cluster;
    java.util.List<?> declarations;
    Dependencies dependencies;
    Long endedRetentionMs;
    Fleet fleet;
    java.util.TreeSet<?> givenUp;
    java.util.TreeMap<?, ?> health;
    Object hostStates;
    java.util.TreeMap<?, ?> hosts;
    ClusterEngine.Hypervisor hypervisor;
    java.util.LinkedHashMap<?, ?> incidents;
    java.util.TreeMap<?, ?> inflight;
    ExecutionMode mode;
    String openOutage;
    java.util.TreeMap<?, ?> perTarget;
    FleetPlanning planning;
    java.util.List<?> results;
    Settings settings;
    SimHypervisor sim;
    java.util.PriorityQueue<?> timers;
    java.util.TreeMap<?, ?> vms;

    /** Version 1 mirror of {@code io.vmres.engine.ClusterEngine$Hypervisor}. */
    enum Hypervisor {
        SIMULATED,
        EXTERNAL
    }
}
