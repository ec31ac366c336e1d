package io.vmres.engine.sim;

import io.vmres.engine.event.SimFault;
import io.vmres.engine.execute.Action;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.state.RecordCodec;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated hypervisor of replay: fixed latencies and the {@code sim-fault} lines, counted
 * separately in this cluster from its own start (spec: replay).
 */
public final class SimHypervisor implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<SimFault> faults = new ArrayList<>();
    private final List<Integer> left = new ArrayList<>();

    /** The simulated latency of an action, in milliseconds. */
    public static long latency(Action action) {
        switch (action) {
            case FENCE_HOST:
                return 5_000;
            case MAP_DISKS:
                return 2_000;
            case RESTART_VM:
                return 30_000;
            case LIVE_MIGRATE_VM:
                return 20_000;
            default:
                throw new IllegalArgumentException("unknown action " + action);
        }
    }

    /** The simulated latency of an action named as in a command line ({@code CommandOut}). */
    public static long latency(String action) {
        return latency(Action.valueOf(action));
    }

    public void add(SimFault f) {
        faults.add(f);
        left.add(f.count());
    }

    /**
     * Uses up one count of every fault (with ts at or before the issue) that matches the command:
     * every matching fault is used, whatever the answer; returns whether any had count left.
     */
    public boolean consume(CommandOut c) {
        boolean hit = false;
        for (int i = 0; i < faults.size(); i++) {
            SimFault f = faults.get(i);
            if (f.ts() > c.ts() || left.get(i) <= 0 || !matches(f, c)) {
                continue;
            }
            left.set(i, left.get(i) - 1);
            hit = true;
        }
        return hit;
    }

    static boolean matches(SimFault f, CommandOut c) {
        // both validated at the boundary: the parser (sim-fault) and the engine (commands)
        if (Action.valueOf(f.action()) != Action.valueOf(c.action())) {
            return false;
        }
        if (f.host() != null && !f.host().equals(c.host())) {
            return false;
        }
        if (f.target() != null && !f.target().equals(c.target())) {
            return false;
        }
        return f.vm() == null
                || f.vm().equals(c.vm())
                || (c.vms() != null && c.vms().contains(f.vm()));
    }

    /** Writes the sim-faults and what is left of each (see {@code EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeAll(faults, RecordCodec::writeSimFault);
        out.writeAll(left, (n, o) -> o.writeInt(n));
    }

    public static SimHypervisor read(StateInput in) throws IOException {
        SimHypervisor s = new SimHypervisor();
        in.readAll(s.faults, RecordCodec::readSimFault);
        in.readAll(s.left, StateInput::readInt);
        return s;
    }
}
