package io.vmres.job.types.legacy;

import java.io.Serializable;

/** Version 1 mirror of {@code io.vmres.engine.fleet.Fleet} (fields only; see {@link V1State}). */
final class Fleet implements Serializable {
    private static final long serialVersionUID = 1L;
    String cluster;
    java.util.TreeMap<?, ?> hosts;
    Settings settings;
    java.util.TreeMap<?, ?> vms;
}
