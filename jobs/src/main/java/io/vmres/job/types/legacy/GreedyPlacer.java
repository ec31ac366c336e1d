package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.plan.GreedyPlacer} (fields only; see {@link V1State}).
 */
final class GreedyPlacer implements Serializable {
    private static final long serialVersionUID = 1L;
}
