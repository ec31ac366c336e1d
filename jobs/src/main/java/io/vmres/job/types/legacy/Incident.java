package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.execute.Incident} (fields only; see {@link V1State}).
 */
final class Incident implements Serializable {
    private static final long serialVersionUID = 1L;
    int commandSeq;
    long deadline;
    int inFlight;
    long lastLineTs;
    long openedTs;
    java.util.LinkedHashSet<?> everHosts;
    java.util.Map<?, ?> evidence;
    java.util.TreeSet<?> failed;
    Long failureStartTs;
    Long firstCommandTs;
    java.util.LinkedHashSet<?> hosts;
    String id;
    java.util.TreeMap<?, ?> jobs;
    String kind;
    Long lastCommandTs;
    Long lastRecoveryTs;
    java.util.LinkedHashMap<?, ?> parts;
    java.util.List<?> pendingMaps;
    java.util.TreeSet<?> recovered;
    String state;
    java.util.TreeSet<?> unplaced;
}
