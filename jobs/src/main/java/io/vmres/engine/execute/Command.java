package io.vmres.engine.execute;

import io.vmres.engine.out.CommandOut;
import java.io.Serializable;
import java.util.List;

/** A command in flight: what was issued and, in replay, the answer the simulator chose. */
public final class Command implements Serializable {
    private static final long serialVersionUID = 1L;

    public final CommandOut out;

    /** The map job a MAP_DISKS belongs to; null otherwise. */
    public final MapJob map;

    /** The VM job of a RESTART_VM / LIVE_MIGRATE_VM; null otherwise. */
    public final VmJob job;

    /** Decided at issue (timeout, sim-fault) or null: judged at the answer. */
    public String simStatus;

    public String simDetail;
    public long answerTs;

    public Command(CommandOut out, MapJob map, VmJob job) {
        this.out = out;
        this.map = map;
        this.job = job;
    }

    public String id() {
        return out.commandId();
    }

    public String action() {
        return out.action();
    }

    public String host() {
        return out.host();
    }

    public String target() {
        return out.target();
    }

    public List<String> vms() {
        return out.vms();
    }
}
