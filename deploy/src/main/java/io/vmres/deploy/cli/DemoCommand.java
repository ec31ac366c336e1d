package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.DemoArgs;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres demo}: the whole pipeline in one process against a simulated fleet. */
@Command(
        name = "demo",
        header = "Runs the job on a simulated fleet, all in this process.",
        description = {
            "Runs the main job on the embedded runtime: a Kafka broker, a Flink MiniCluster, a"
                    + " simulated fleet and its connector, all in this process. A host of the fleet"
                    + " crashes now and then; watch vmres find it and restart its VMs elsewhere.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres demo                 and open the dashboard at http://localhost:8080",
            "  vmres demo --duration 5m --hosts 1000 --crash-every 10s --seed 7 --no-dashboard"
        })
final class DemoCommand extends Subcommand {

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long to run, such as 120s, 5m or PT2M (default: until Ctrl-C).")
    private Duration duration;

    @Option(
            names = "--hosts",
            paramLabel = "N",
            defaultValue = "200",
            description = "Hosts in the simulated fleet (default: ${DEFAULT-VALUE}).")
    private int hosts;

    @Option(
            names = "--vms-per-host",
            paramLabel = "N",
            defaultValue = "10",
            description = "VMs placed on each host at start (default: ${DEFAULT-VALUE}).")
    private int vmsPerHost;

    @Option(
            names = "--crash-every",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Time between two host crashes (default: ${DEFAULT-VALUE}).")
    private Duration crashEvery;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Seed of the simulation: the same seed gives the same fleet and the same crashes"
                            + " (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(
            names = "--dashboard-port",
            paramLabel = "PORT",
            defaultValue = "" + DashboardCommand.DEFAULT_PORT,
            description =
                    "Port of the dashboard, on loopback (default: ${DEFAULT-VALUE}; 0: any free).")
    private int dashboardPort;

    @Option(names = "--no-dashboard", description = "Serve no dashboard.")
    private boolean noDashboard;

    @Override
    public Integer call() throws Exception {
        DemoArgs args =
                new DemoArgs(
                        Optional.ofNullable(positive(duration, "--duration")),
                        atLeast(hosts, 1, "--hosts"),
                        atLeast(vmsPerHost, 0, "--vms-per-host"),
                        positive(crashEvery, "--crash-every"),
                        seed,
                        noDashboard
                                ? Optional.empty()
                                : Optional.of(
                                        DashboardCommand.options(
                                                this, dashboardPort, "127.0.0.1", null)));
        return actions().demo(args, lifecycle());
    }
}
