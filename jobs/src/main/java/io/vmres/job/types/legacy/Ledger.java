package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.plan.Ledger} (fields only; see {@link V1State}). */
final class Ledger implements Serializable {
    private static final long serialVersionUID = 1L;
    java.util.TreeMap<?, ?> hosts;
    java.util.HashMap<?, ?> vms;
}
