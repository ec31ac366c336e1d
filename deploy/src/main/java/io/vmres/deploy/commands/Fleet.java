package io.vmres.deploy.commands;

import io.vmres.connector.runtime.ConnectorSettings;
import io.vmres.deploy.runtime.Lifecycle;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code vmres fleet}: a simulated fleet as a process of its own. It publishes the fleet's
 * inventory and telemetry to a Kafka, runs the job's commands against it (the simulated connector),
 * and crashes hosts on request through its {@link FleetControl} folder.
 */
public final class Fleet {
    private Fleet() {}

    /** The size and seed of the simulated fleet. */
    public record Shape(int hosts, int vmsPerHost, int clusters, long seed) {}

    /**
     * Runs until Ctrl-C (or SIGTERM) closes the lifecycle.
     *
     * @return the process exit code
     */
    public static int run(
            String bootstrap, Shape shape, Path control, Lifecycle lifecycle, PrintStream out)
            throws Exception {
        ConnectorSettings settings =
                ConnectorSettings.of(
                        Map.of(
                                "sim.hosts", Integer.toString(shape.hosts()),
                                "sim.vms.per.host", Integer.toString(shape.vmsPerHost()),
                                "sim.clusters", Integer.toString(shape.clusters()),
                                "sim.seed", Long.toString(shape.seed()),
                                "group", "vmres-fleet"));
        return SimConnector.run(
                bootstrap,
                settings,
                lifecycle,
                out,
                fleet -> {
                    lifecycle.start(() -> FleetControl.watch(fleet, control, out));
                    out.println("Crash control: " + control.toAbsolutePath());
                });
    }
}
