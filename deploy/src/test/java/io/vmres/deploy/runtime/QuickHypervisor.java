package io.vmres.deploy.runtime;

import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.schema.Action;
import java.time.Duration;

/** A simulated hypervisor that fences, maps disks and restarts in fixed fractions of a second. */
public final class QuickHypervisor {
    private QuickHypervisor() {}

    /** Fence 300 ms, disk mapping 200 ms, restart 500 ms: a live recovery ends in seconds. */
    public static SimulatedHypervisor of(SimulatedFleet fleet, long seed) {
        return SimulatedHypervisor.builder(fleet)
                .latency(Action.FENCE_HOST, Latency.fixed(Duration.ofMillis(300)))
                .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(200)))
                .latency(Action.RESTART_VM, Latency.fixed(Duration.ofMillis(500)))
                .seed(seed)
                .build();
    }
}
