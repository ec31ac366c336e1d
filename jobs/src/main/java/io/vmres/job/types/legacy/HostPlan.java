package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.plan.HostPlan} (fields only; see {@link V1State}). */
final class HostPlan implements Serializable {
    private static final long serialVersionUID = 0L;
    String host;
    java.util.LinkedHashMap<?, ?> targets;
    java.util.List<?> unplaced;
}
