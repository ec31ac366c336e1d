package io.vmres.engine.plan;

import java.io.Serializable;

/** One VM to place: a restart from a failed host or a migration from a draining one. */
public record PlacementRequest(
        String vm, String incidentId, String source, int priority, boolean restart)
        implements Serializable {}
