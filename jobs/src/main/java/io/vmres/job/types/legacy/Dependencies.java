package io.vmres.job.types.legacy;

import java.io.Serializable;

/**
 * Version 1 mirror of {@code io.vmres.engine.execute.Dependencies} (fields only; see {@link
 * V1State}).
 */
final class Dependencies implements Serializable {
    private static final long serialVersionUID = 1L;
    Fleet fleet;
    java.util.TreeSet<?> givenUp;
    java.util.Map<?, ?> incidents;
}
