package io.vmres.connector.runtime;

import static io.vmres.connector.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The service on the Kafka clients it builds itself: their settings must be valid. */
class ConnectorServiceClientsTest {

    @Test
    void startsAndClosesOnItsOwnClientsWithoutABroker() {
        // Nothing listens on port 1: the clients are built and polled, but never connect.
        ConnectorService service =
                new ConnectorService(
                        "127.0.0.1:1",
                        new FakeConnector(),
                        ConnectorOptions.builder()
                                .groupId("clients-test")
                                .consumerProperty("reconnect.backoff.max.ms", 100)
                                .producerProperty("max.block.ms", 1_000)
                                .build());
        service.start();
        await("polling", service::isRunning);

        long t0 = System.nanoTime();
        service.close(Duration.ofSeconds(2));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(service.isRunning()).isFalse();
        assertThat(service.failure()).isEmpty();
    }
}
