package io.vmres.job.types.legacy;

/** Version 1 mirror of {@code io.vmres.engine.ExecutionMode} (fields only; see {@link V1State}). */
enum ExecutionMode {
    PARALLEL,
    SERIAL
}
