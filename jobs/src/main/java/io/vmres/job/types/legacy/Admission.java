package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.plan.Admission} (fields only; see {@link V1State}).
 */
final class Admission implements Serializable {
    private static final long serialVersionUID = 0L;
    int hosts;
    int powerDomains;
    int racks;
    java.util.List<?> risks;

    /** Version 1 mirror of {@code io.vmres.engine.plan.Admission$Risk}. */
    static final class Risk implements Serializable {
        private static final long serialVersionUID = 0L;
        int unplacedVms;
        String id;
        String kind;
        java.util.List<?> vms;
    }
}
