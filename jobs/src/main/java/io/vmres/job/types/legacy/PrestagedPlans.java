package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.plan.PrestagedPlans} (fields only; see {@link
 * V1State}).
 */
final class PrestagedPlans implements Serializable {
    private static final long serialVersionUID = 1L;
    long replans;
    java.util.HashMap<?, ?> byTarget;
    String cluster;
    BalancedPlacer placer;
    java.util.TreeMap<?, ?> plans;
    java.util.TreeSet<?> short_;
}
