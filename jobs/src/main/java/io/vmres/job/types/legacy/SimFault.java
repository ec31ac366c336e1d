package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.event.SimFault} (fields only; see {@link V1State}).
 */
final class SimFault implements Serializable {
    private static final long serialVersionUID = 0L;
    int count;
    long seq;
    long ts;
    String action;
    String host;
    String target;
    String vm;
}
