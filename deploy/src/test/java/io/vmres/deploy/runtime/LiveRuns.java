package io.vmres.deploy.runtime;

import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.schema.Incident;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** What the tests on a live runtime share: a small fleet, its first beats, a host's recovery. */
public final class LiveRuns {
    private LiveRuns() {}

    /** One cluster of 12 hosts in racks of 4, 4 VMs each. */
    public static SimulatedFleet smallFleet(long seed) {
        return SimulatedFleet.builder()
                .hosts(12)
                .clusters(1)
                .hostsPerRack(4)
                .vmsPerHost(4)
                .seed(seed)
                .build();
    }

    /** Waits, at most a minute, until the runtime's telemetry has beaten three times. */
    public static void awaitTelemetry(LiveRuntime runtime) throws InterruptedException {
        Await.await(
                Duration.ofSeconds(60),
                () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= 3));
    }

    /** The first RECOVERED line of an incident of {@code host}, awaited. */
    public static Incident awaitRecovered(DecisionLog log, String host, Duration timeout)
            throws InterruptedException {
        return awaitRecovered(log, host, timeout, () -> "");
    }

    /**
     * The first RECOVERED line of an incident of {@code host}, awaited; at the deadline the failure
     * tells {@code seen}.
     */
    public static Incident awaitRecovered(
            DecisionLog log, String host, Duration timeout, Supplier<String> seen)
            throws InterruptedException {
        return Await.await(
                timeout,
                () ->
                        log.incidents().stream()
                                .filter(i -> i.getHosts().contains(host))
                                .filter(i -> i.getState().name().equals("RECOVERED"))
                                .findFirst(),
                seen);
    }
}
