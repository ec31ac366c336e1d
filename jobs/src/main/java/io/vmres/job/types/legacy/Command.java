package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.execute.Command} (fields only; see {@link V1State}).
 */
final class Command implements Serializable {
    private static final long serialVersionUID = 1L;
    long answerTs;
    VmJob job;
    MapJob map;
    CommandOut out;
    String simDetail;
    String simStatus;
}
