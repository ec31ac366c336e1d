package io.vmres.connector.sim;

import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.schema.KafkaEndpoint;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A simulated fleet wired to Kafka in one piece, for the demo and benchmarks: its telemetry
 * publisher and a {@link ConnectorService} running commands on its {@link SimulatedHypervisor}.
 *
 * <pre>{@code
 * SimulatedFleet fleet = SimulatedFleet.builder().seed(7).build();
 * try (SimulatedSite site = SimulatedSite.start("localhost:9092", fleet,
 *     SimulatedHypervisor.builder(fleet).build(), ConnectorOptions.defaults())) {
 *   site.fleet().crash("h017");
 *   ...
 * }
 * }</pre>
 */
public final class SimulatedSite implements AutoCloseable {
    private final SimulatedFleet fleet;
    private final SimulatedHypervisor hypervisor;
    private final TelemetryPublisher telemetry;
    private final ConnectorService connector;
    private final Producer<byte[], byte[]> ownedProducer;

    private SimulatedSite(
            SimulatedFleet fleet,
            SimulatedHypervisor hypervisor,
            TelemetryPublisher telemetry,
            ConnectorService connector,
            Producer<byte[], byte[]> ownedProducer) {
        this.fleet = fleet;
        this.hypervisor = hypervisor;
        this.telemetry = telemetry;
        this.connector = connector;
        this.ownedProducer = ownedProducer;
    }

    /**
     * Starts on the given brokers: a producer of its own for telemetry (closed with the site), and
     * a connector service with its own consumer and producer.
     */
    public static SimulatedSite start(
            String bootstrapServers,
            SimulatedFleet fleet,
            SimulatedHypervisor hypervisor,
            ConnectorOptions options) {
        KafkaEndpoint kafka = KafkaEndpoint.of(bootstrapServers);
        return start(kafka, kafka, fleet, hypervisor, options);
    }

    /**
     * As {@link #start(String, SimulatedFleet, SimulatedHypervisor, ConnectorOptions)}, the
     * telemetry written through {@code telemetryKafka} and the connector's clients on {@code
     * connectorKafka}: each as its own principal on a Kafka with ACLs.
     */
    public static SimulatedSite start(
            KafkaEndpoint telemetryKafka,
            KafkaEndpoint connectorKafka,
            SimulatedFleet fleet,
            SimulatedHypervisor hypervisor,
            ConnectorOptions options) {
        Producer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        telemetryKafka.client(
                                Map.of(
                                        ProducerConfig.CLIENT_ID_CONFIG,
                                        "vmres-sim-telemetry",
                                        ProducerConfig.ACKS_CONFIG,
                                        "all",
                                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                        true,
                                        ProducerConfig.LINGER_MS_CONFIG,
                                        5)),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
        ConnectorService connector;
        try {
            connector = new ConnectorService(connectorKafka, hypervisor, options);
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return start(fleet, hypervisor, producer, connector, producer);
    }

    /**
     * Starts on given clients (tests use the mocks); the site closes the consumer (through the
     * service) but not the producer, which serves both the telemetry and the results.
     */
    public static SimulatedSite start(
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            SimulatedFleet fleet,
            SimulatedHypervisor hypervisor,
            ConnectorOptions options) {
        ConnectorService connector = new ConnectorService(consumer, producer, hypervisor, options);
        return start(fleet, hypervisor, producer, connector, null);
    }

    private static SimulatedSite start(
            SimulatedFleet fleet,
            SimulatedHypervisor hypervisor,
            Producer<byte[], byte[]> telemetryProducer,
            ConnectorService connector,
            Producer<byte[], byte[]> owned) {
        if (hypervisor.fleet() != fleet) {
            throw new IllegalArgumentException("the hypervisor acts on another fleet");
        }
        TelemetryPublisher telemetry = fleet.telemetry(telemetryProducer).start();
        connector.start();
        return new SimulatedSite(fleet, hypervisor, telemetry, connector, owned);
    }

    public SimulatedFleet fleet() {
        return fleet;
    }

    public SimulatedHypervisor hypervisor() {
        return hypervisor;
    }

    public TelemetryPublisher telemetry() {
        return telemetry;
    }

    public ConnectorService connector() {
        return connector;
    }

    /** Stops the connector (waiting for its calls in flight), then the telemetry. */
    @Override
    public void close() {
        try {
            connector.close();
        } finally {
            telemetry.close();
            if (ownedProducer != null) {
                ownedProducer.close(Duration.ofSeconds(10));
            }
        }
    }
}
