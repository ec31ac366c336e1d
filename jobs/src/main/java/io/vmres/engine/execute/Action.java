package io.vmres.engine.execute;

/** The commands the engine issues (spec: Commands). */
public enum Action {
    FENCE_HOST,
    MAP_DISKS,
    RESTART_VM,
    LIVE_MIGRATE_VM
}
