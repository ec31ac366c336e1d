package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.plan.BalancedPlacer} (fields only; see {@link
 * V1State}).
 */
final class BalancedPlacer implements Serializable {
    private static final long serialVersionUID = 1L;
}
