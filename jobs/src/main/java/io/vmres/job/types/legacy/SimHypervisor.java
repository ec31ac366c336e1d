package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.sim.SimHypervisor} (fields only; see {@link V1State}).
 */
final class SimHypervisor implements Serializable {
    private static final long serialVersionUID = 1L;
    java.util.List<?> faults;
    java.util.List<?> left;
}
