package io.vmres.deploy.cli;

import io.vmres.deploy.commands.Fleet;
import io.vmres.deploy.commands.FleetControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code vmres fleet}: a simulated fleet and its connector as a process of its own. */
@Command(
        name = "fleet",
        header = "Runs a simulated fleet and its connector; `fleet crash HOST` crashes a host.",
        description = {
            "Publishes a simulated fleet's inventory and telemetry to Kafka, runs the job's commands"
                    + " against it, and crashes hosts on request: `vmres fleet crash HOST` drops a"
                    + " request in the --control folder, which the fleet watches.",
            ""
        },
        subcommands = {FleetCommand.Crash.class, FleetCommand.Connector.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres fleet --bootstrap 127.0.0.1:9092 --control .vmres/fleet",
            "  vmres fleet crash h7 --control .vmres/fleet",
            "  vmres fleet crash any --control .vmres/cluster/fleet/control",
            "  vmres fleet --hypervisor-port 7070 & vmres fleet connector --hypervisor http://127.0.0.1:7070"
        })
final class FleetCommand extends Subcommand {
    static final String DEFAULT_CONTROL = ".vmres/fleet";

    @Option(
            names = "--hosts",
            defaultValue = "200",
            description = "Hosts (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--vms-per-host",
            defaultValue = "10",
            description = "VMs per host (default: ${DEFAULT-VALUE}).")
    int vmsPerHost;

    @Option(
            names = "--clusters",
            defaultValue = "2",
            description = "Clusters (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--control",
            paramLabel = "DIR",
            defaultValue = DEFAULT_CONTROL,
            description = "The crash control folder (default: ${DEFAULT-VALUE}).")
    Path control;

    @Option(
            names = "--hypervisor-port",
            paramLabel = "PORT",
            description =
                    "Run no connector here: serve the fleet's hypervisor on 127.0.0.1:PORT (0: any"
                            + " free port) for `vmres fleet connector`.")
    Integer hypervisorPort;

    @Option(
            names = "--telemetry-kafka-properties",
            paramLabel = "FILE",
            description =
                    "Kafka client properties of the fleet's telemetry (heartbeats, inventory, power"
                            + " readings), when it writes as another principal than the connector"
                            + " (default: those of --kafka-properties).")
    Path telemetryProperties;

    @Option(
            names = "--latency-median",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Every hypervisor call takes about this long, log-normal around it (default:"
                            + " fence 3 s, map 1 s, restart 4 s, migrate 3 s).")
    Duration latencyMedian;

    @Option(
            names = "--latency-sigma",
            defaultValue = "0.4",
            description =
                    "The spread of --latency-median: the standard deviation of its logarithm"
                            + " (default: ${DEFAULT-VALUE}).")
    double latencySigma;

    @Mixin private BootstrapOption bootstrap;

    @Override
    public Integer call() throws Exception {
        if (!(latencySigma > 0)) {
            throw usage("--latency-sigma must be above 0");
        }
        Map<String, String> more = new TreeMap<>();
        if (latencyMedian != null) {
            more.put("sim.latency.median", latencyMedian.toMillis() + "ms");
            more.put("sim.latency.sigma", Double.toString(latencySigma));
        }
        if (hypervisorPort != null && (hypervisorPort < 0 || hypervisorPort > 65535)) {
            throw usage("--hypervisor-port must be a port, 0 to 65535");
        }
        atLeast(hosts, 1, "--hosts");
        atLeast(vmsPerHost, 1, "--vms-per-host");
        atLeast(clusters, 1, "--clusters");
        return Fleet.run(
                bootstrap.kafka(),
                new Fleet.Shape(hosts, vmsPerHost, clusters, seed),
                control,
                hypervisorPort == null ? -1 : hypervisorPort,
                telemetryProperties == null
                        ? null
                        : readableFile(telemetryProperties, "--telemetry-kafka-properties"),
                more,
                lifecycle(),
                System.out);
    }

    @Command(
            name = "connector",
            header = "Runs the connector of a `vmres fleet --hypervisor-port` as a process apart.")
    static final class Connector implements Callable<Integer> {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        private boolean help;

        @ParentCommand FleetCommand parent;

        @Option(
                names = "--hypervisor",
                paramLabel = "URL",
                required = true,
                description = "The fleet's hypervisor, as it prints it: http://127.0.0.1:PORT.")
        String hypervisor;

        @Mixin private BootstrapOption bootstrap;

        @Override
        public Integer call() throws Exception {
            return Fleet.connector(bootstrap.kafka(), hypervisor, parent.lifecycle(), System.out);
        }
    }

    @Command(name = "crash", header = "Crashes a host of a running `vmres fleet`.")
    static final class Crash implements Callable<Integer> {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        private boolean help;

        @ParentCommand FleetCommand parent;

        @Parameters(
                paramLabel = "HOST",
                description = "The host, or `any` for the first that can crash.")
        String host;

        @Option(
                names = "--control",
                paramLabel = "DIR",
                defaultValue = DEFAULT_CONTROL,
                description = "The fleet's crash control folder (default: ${DEFAULT-VALUE}).")
        Path control;

        @Override
        public Integer call() throws Exception {
            System.out.println(FleetControl.request(control, host, Duration.ofSeconds(15)));
            return Cli.OK;
        }
    }
}
