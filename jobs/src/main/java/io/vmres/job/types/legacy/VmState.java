package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.fleet.VmState} (fields only; see {@link V1State}). */
final class VmState implements Serializable {
    private static final long serialVersionUID = 1L;
    boolean down;
    boolean ghost;
    String host;
    String id;
    VmEvent record;
}
