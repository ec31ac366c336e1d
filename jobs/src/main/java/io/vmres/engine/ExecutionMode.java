package io.vmres.engine;

/**
 * How a cluster engine executes recoveries. Not a setting of a recording: only a benchmark chooses
 * the serial mode, to compare vmres with a recovery manager that does one thing at a time.
 */
public enum ExecutionMode {
    /**
     * The spec's execution: disk mappings per (failed host, target), targets in parallel, restarts
     * and migrations in waves within {@code maxInFlightPerTarget} and {@code
     * maxInFlightPerCluster}.
     */
    PARALLEL,

    /**
     * A baseline without parallelism: one command at a time in the whole cluster, and one {@code
     * MAP_DISKS} per VM, each VM mapped then restarted before the next one starts.
     */
    SERIAL
}
