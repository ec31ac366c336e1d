package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.schema.Action;
import io.vmres.schema.PowerState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fleet's hypervisor over HTTP, as a connector in a process of its own calls it. */
class HypervisorEndpointTest {

    @Test
    void aCallIsRunOnTheFleetAndAnsweredOverHttp() throws Exception {
        SimulatedFleet fleet = SimulatedFleet.builder().hosts(4).vmsPerHost(1).clusters(1).build();
        try (HypervisorEndpoint endpoint =
                HypervisorEndpoint.start(SimulatedHypervisor.instant(fleet), 0)) {
            RemoteHypervisor remote = new RemoteHypervisor(endpoint.url());
            String host = fleet.hosts().get(0).host();

            Outcome o = remote.fence(new Request.Fence("c1", host), Duration.ofSeconds(10));

            assertThat(o.status()).isEqualTo(Outcome.Status.SUCCEEDED);
            assertThat(fleet.power(host)).isEqualTo(PowerState.off);
            assertThat(fleet.ledger().forCommand("c1")).hasSize(1);
        }
    }

    /**
     * A connector killed while its call runs on the fleet, and the next one asking again in doubt:
     * the second ask waits for the first call and answers its outcome, and the fleet runs it once.
     */
    @Test
    void aCommandAskedInDoubtWhileItsCallStillRunsIsRunOnce() throws Exception {
        SimulatedFleet fleet = SimulatedFleet.builder().hosts(4).vmsPerHost(1).clusters(1).build();
        SimulatedHypervisor hv =
                SimulatedHypervisor.builder(fleet)
                        .latency(Action.FENCE_HOST, Latency.fixed(Duration.ofMillis(1_500)))
                        .build();
        try (HypervisorEndpoint endpoint = HypervisorEndpoint.start(hv, 0)) {
            Request.Fence fence = new Request.Fence("c1", fleet.hosts().get(1).host());
            CompletableFuture<Outcome> first =
                    CompletableFuture.supplyAsync(
                            () ->
                                    call(
                                            () ->
                                                    new RemoteHypervisor(endpoint.url())
                                                            .fence(fence, Duration.ofSeconds(10))));
            // the first call is running on the fleet, not yet in its ledger
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!endpoint.running("c1") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(endpoint.running("c1")).isTrue();
            assertThat(fleet.ledger().forCommand("c1")).isEmpty();

            Outcome again =
                    new RemoteHypervisor(endpoint.url()).runInDoubt(fence, Duration.ofSeconds(10));

            assertThat(again).isEqualTo(first.get(10, TimeUnit.SECONDS));
            assertThat(again.detail()).isEqualTo("powered off");
            assertThat(fleet.ledger().forCommand("c1")).hasSize(1);
        }
    }

    @Test
    void aFleetThatDoesNotAnswerIsATransientError() throws Exception {
        SimulatedFleet fleet = SimulatedFleet.builder().hosts(4).vmsPerHost(1).clusters(1).build();
        String url;
        try (HypervisorEndpoint endpoint =
                HypervisorEndpoint.start(SimulatedHypervisor.instant(fleet), 0)) {
            url = endpoint.url();
        }
        RemoteHypervisor remote = new RemoteHypervisor(url);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> remote.fence(new Request.Fence("c1", "h1"), Duration.ofSeconds(5)))
                .isInstanceOf(io.vmres.connector.runtime.TransientException.class);
        assertThat(fleet.ledger().entries()).isEqualTo(List.of());
    }

    private interface Call {
        Outcome run() throws InterruptedException;
    }

    private static Outcome call(Call c) {
        try {
            return c.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
