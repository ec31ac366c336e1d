package io.vmres.connector.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.Latency;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedStorageTest {
    private static final Duration T = Duration.ofSeconds(5);

    @Test
    void mapsDisksIdempotentlyAndFailsWhenTold() throws Exception {
        SimulatedStorage storage =
                new SimulatedStorage(Latency.logNormal(Duration.ofMillis(5), 0.3), 3);

        assertThat(storage.map("h1", "h2", List.of("d1", "d2"), T).isSuccess()).isTrue();
        assertThat(storage.map("h1", "h2", List.of("d1"), T).isSuccess()).isTrue();
        assertThat(storage.mappedOn("h2")).containsExactlyInAnyOrder("d1", "d2");

        storage.failNext(1, "array path down");
        Outcome failed = storage.map("h1", "h3", List.of("d3"), T);
        assertThat(failed.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(failed.detail()).isEqualTo("array path down");
        assertThat(storage.mappedOn("h3")).isEmpty();
    }

    @Test
    void aMapSlowerThanItsTimeoutTimesOutAndMapsNothing() throws Exception {
        SimulatedStorage storage = new SimulatedStorage(Latency.fixed(Duration.ofSeconds(30)), 1);
        Outcome out = storage.map("h1", "h2", List.of("d1"), Duration.ofMillis(20));
        assertThat(out.status()).isEqualTo(Outcome.Status.TIMED_OUT);
        assertThat(storage.mappedOn("h2")).isEmpty();
    }
}
