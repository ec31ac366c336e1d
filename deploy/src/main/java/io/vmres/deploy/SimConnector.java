package io.vmres.deploy;

import io.vmres.connector.runtime.ConnectorCounters;
import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.connector.sim.TelemetryPublisher;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code vmres connector --type sim}: a connector service running commands against a simulated
 * fleet, whose telemetry it publishes too, so that a job on the same Kafka watches that fleet and
 * drives it.
 */
public final class SimConnector {
  private static final Duration REACH_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration PRODUCER_CLOSE = Duration.ofSeconds(5);

  private SimConnector() {}

  /**
   * Runs until Ctrl-C closes the lifecycle, or until the connector service fails.
   *
   * @return the process exit code
   */
  public static int run(String bootstrap, Lifecycle lifecycle, PrintStream out) throws Exception {
    checkReachable(bootstrap);
    SimulatedFleet fleet = SimulatedFleet.builder().build();
    SimulatedHypervisor hypervisor = SimulatedHypervisor.builder(fleet).build();
    // The lifecycle closes newest first: telemetry, then the connector, then the producer.
    Producer<byte[], byte[]> producer = telemetryProducer(bootstrap);
    // Bounded: a send stuck on an unreachable broker must not hold Ctrl-C for the two minutes
    // of the producer's delivery timeout.
    lifecycle.register((AutoCloseable) () -> producer.close(PRODUCER_CLOSE));
    ConnectorService connector =
        lifecycle.start(
            () -> new ConnectorService(bootstrap, hypervisor, ConnectorOptions.defaults()).start());
    TelemetryPublisher telemetry = lifecycle.start(() -> fleet.telemetry(producer).start());
    out.printf(
        Locale.ROOT,
        "Simulated connector on %s: %d hosts, %d VMs; telemetry published, commands run."
            + " Press Ctrl-C to stop.%n",
        bootstrap,
        fleet.hosts().size(),
        fleet.vms().size());
    while (!lifecycle.awaitShutdown(Duration.ofSeconds(1))) {
      if (connector.failure().isPresent()) {
        throw new IllegalStateException(
            "the connector stopped: " + connector.failure().get().getMessage(),
            connector.failure().get());
      }
    }
    ConnectorCounters c = connector.counters();
    out.printf(
        Locale.ROOT,
        "Connector stopped: %d commands received, %d succeeded, %d failed, %d timed out;"
            + " %d telemetry records published.%n",
        c.received(),
        c.succeeded(),
        c.failed(),
        c.timedOut(),
        telemetry.published());
    return 0;
  }

  /**
   * The telemetry's producer. A beat that cannot be delivered within half a minute is stale for
   * detection anyway, and the publisher's flush on Ctrl-C waits for at most that long.
   */
  static Producer<byte[], byte[]> telemetryProducer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  /** Fails at once, with a message, when no broker answers at {@code bootstrap}. */
  static void checkReachable(String bootstrap) throws InterruptedException {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REACH_TIMEOUT.toMillis()))) {
      admin.describeCluster().clusterId().get(REACH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot reach Kafka at " + bootstrap, e);
    }
  }
}
