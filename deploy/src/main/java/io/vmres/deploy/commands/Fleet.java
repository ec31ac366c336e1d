package io.vmres.deploy.commands;

import io.vmres.connector.runtime.ConnectorSettings;
import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.schema.KafkaEndpoint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code vmres fleet}: a simulated fleet as a process of its own. It publishes the fleet's
 * inventory and telemetry to a Kafka, runs the job's commands against it (the simulated connector),
 * and crashes hosts on request through its {@link FleetControl} folder.
 */
public final class Fleet {
    private Fleet() {}

    /** The size and seed of the simulated fleet. */
    /** The consumer group of the fleet's connector, in the fleet's process or apart from it. */
    public static final String GROUP = "vmres-fleet";

    public record Shape(int hosts, int vmsPerHost, int clusters, long seed) {}

    /**
     * Runs until Ctrl-C (or SIGTERM) closes the lifecycle. With a {@code hypervisorPort} of 0 or
     * more the fleet runs no connector of its own but serves its hypervisor there ({@link
     * HypervisorEndpoint}; 0: any free port) for {@link #connector}. The telemetry is written with
     * the client properties of {@code telemetryProperties} when not null (another principal than
     * the connector's), else with {@code kafka}'s. {@code more} holds more of the simulated
     * connector's settings ({@code sim.latency.median}, {@code sim.latency.sigma}, see {@link
     * SimConnector}).
     *
     * @return the process exit code
     */
    public static int run(
            KafkaEndpoint kafka,
            Shape shape,
            Path control,
            int hypervisorPort,
            Path telemetryProperties,
            Map<String, String> more,
            Lifecycle lifecycle,
            PrintStream out)
            throws Exception {
        Map<String, String> values = new java.util.HashMap<>(more);
        values.put("sim.hosts", Integer.toString(shape.hosts()));
        values.put("sim.vms.per.host", Integer.toString(shape.vmsPerHost()));
        values.put("sim.clusters", Integer.toString(shape.clusters()));
        values.put("sim.seed", Long.toString(shape.seed()));
        values.put("group", GROUP);
        if (hypervisorPort >= 0) {
            values.put("sim.hypervisor.port", Integer.toString(hypervisorPort));
        }
        if (telemetryProperties != null) {
            values.put(SimConnector.TELEMETRY_KAFKA_PROPERTIES, telemetryProperties.toString());
        }
        ConnectorSettings settings = ConnectorSettings.of(values);
        return SimConnector.run(
                kafka,
                settings,
                lifecycle,
                out,
                fleet -> {
                    lifecycle.start(() -> FleetControl.watch(fleet, control, out));
                    out.println("Crash control: " + control.toAbsolutePath());
                });
    }

    /**
     * {@code vmres fleet connector}: the fleet's connector as a process of its own, running the
     * commands against the hypervisor a {@code vmres fleet --hypervisor-port} serves at {@code
     * url}; exactly-once (its ledger topic and transactional id are the fleet's own connector's),
     * so that a connector killed and started again runs each command once.
     */
    public static int connector(
            KafkaEndpoint kafka, String url, Lifecycle lifecycle, PrintStream out)
            throws Exception {
        return connector(kafka, url, null, lifecycle, out);
    }

    /**
     * As {@link #connector(KafkaEndpoint, String, Lifecycle, PrintStream)}, with the consumer
     * group's {@code sessionTimeout} (null: Kafka's default).
     */
    public static int connector(
            KafkaEndpoint kafka,
            String url,
            Duration sessionTimeout,
            Lifecycle lifecycle,
            PrintStream out)
            throws Exception {
        SimConnector.checkReachable(kafka);
        Map<String, String> values = new HashMap<>(Map.of("group", GROUP));
        if (sessionTimeout != null) {
            values.put(ConnectorSettings.SESSION_TIMEOUT, sessionTimeout.toMillis() + "ms");
        }
        ConnectorSettings settings = ConnectorSettings.of(values);
        out.println(
                "Connector on " + kafka.bootstrap() + " against the fleet's hypervisor at " + url);
        var c =
                SimConnector.serve(
                        kafka,
                        new RemoteHypervisor(url),
                        settings.options(GROUP),
                        settings,
                        lifecycle,
                        out);
        out.println("Connector stopped: " + SimConnector.metrics(c));
        return 0;
    }
}
