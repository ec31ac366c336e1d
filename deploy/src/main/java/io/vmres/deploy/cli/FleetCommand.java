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
        header =
                "Runs a simulated fleet and its connector; `fleet crash|rack|degrade` inject"
                        + " faults into it, `fleet repair|failback` undo them.",
        description = {
            "Publishes a simulated fleet's inventory and telemetry to Kafka, runs the job's commands"
                    + " against it, and injects faults on request: `vmres fleet crash HOST`,"
                    + " `vmres fleet rack RACK` and `vmres fleet degrade HOST` drop a request in"
                    + " the --control folder, which the fleet watches; they work wherever the job"
                    + " runs (embedded, `vmres job`, the local cluster, Kubernetes). `vmres fleet"
                    + " repair HOST|RACK` brings failed hosts back (empty of the VMs a recovery"
                    + " moved away), and `vmres fleet failback HOST|RACK` then live-migrates"
                    + " those VMs back home, as an operator rebalances after a repair.",
            ""
        },
        subcommands = {
            FleetCommand.Crash.class,
            FleetCommand.Rack.class,
            FleetCommand.Degrade.class,
            FleetCommand.Repair.class,
            FleetCommand.Failback.class,
            FleetCommand.Connector.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres fleet --bootstrap 127.0.0.1:9092 --control .vmres/fleet",
            "  vmres fleet crash h7 --control .vmres/fleet",
            "  vmres fleet crash any --control .vmres/cluster/fleet/control",
            "  vmres fleet rack any --control .vmres/fleet",
            "  vmres fleet degrade h12 --kind pfa --control .vmres/fleet",
            "  vmres fleet repair r03 --control .vmres/fleet && vmres fleet failback r03 --control .vmres/fleet",
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

        @Option(
                names = "--session-timeout",
                paramLabel = "DURATION",
                converter = DurationConverter.class,
                description =
                        "The connector's consumer group session (default: Kafka's, 45 s): a"
                                + " connector killed leaves its group this long after its last"
                                + " heartbeat.")
        Duration sessionTimeout;

        @Mixin private BootstrapOption bootstrap;

        @Override
        public Integer call() throws Exception {
            return Fleet.connector(
                    bootstrap.kafka(), hypervisor, sessionTimeout, parent.lifecycle(), System.out);
        }
    }

    /** What the fault requests share: the control folder and the wait for the fleet's answer. */
    abstract static class Request implements Callable<Integer> {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        private boolean help;

        @Option(
                names = "--control",
                paramLabel = "DIR",
                defaultValue = DEFAULT_CONTROL,
                description = "The fleet's control folder (default: ${DEFAULT-VALUE}).")
        Path control;

        /** The fault asked for (null: the command says it itself, {@link #fault()}). */
        private final FleetControl.Fault fault;

        Request(FleetControl.Fault fault) {
            this.fault = fault;
        }

        FleetControl.Fault fault() {
            return fault;
        }

        abstract String target();

        @Override
        public Integer call() throws Exception {
            System.out.println(
                    FleetControl.request(control, fault(), target(), Duration.ofSeconds(15)));
            return Cli.OK;
        }
    }

    @Command(
            name = "crash",
            header = "Crashes a host of a running `vmres fleet`.",
            description =
                    "Its heartbeats stop and its BMC reads off: the job fences it and restarts"
                            + " its VMs elsewhere.")
    static final class Crash extends Request {
        @Parameters(
                paramLabel = "HOST",
                description = "The host, or `any` for the first that can crash.")
        String host;

        Crash() {
            super(FleetControl.Fault.CRASH);
        }

        @Override
        String target() {
            return host;
        }
    }

    @Command(
            name = "rack",
            header = "Cuts the power of a rack of a running `vmres fleet`.",
            description =
                    "Every host of the rack dies at once: heartbeats stop, BMCs read off. The"
                            + " job makes one incident of them and restarts their VMs elsewhere.")
    static final class Rack extends Request {
        @Parameters(
                paramLabel = "RACK",
                description =
                        "The rack (as the inventory names it), or `any` for the rack of the"
                                + " first host that can crash.")
        String rack;

        Rack() {
            super(FleetControl.Fault.RACK);
        }

        @Override
        String target() {
            return rack;
        }
    }

    @Command(
            name = "degrade",
            header = "Degrades the health of a host of a running `vmres fleet`.",
            description =
                    "The host keeps running but reports a failure to come: the job predicts"
                            + " it and drains the host (live-migrates its VMs away).")
    static final class Degrade extends Request {
        @Parameters(
                paramLabel = "HOST",
                description = "The host, or `any` for the first that can fail.")
        String host;

        @Option(
                names = "--kind",
                defaultValue = "ecc",
                description =
                        "ecc (an uncorrectable memory error) or pfa (the vendor's"
                                + " predictive-failure alert) (default: ${DEFAULT-VALUE}).")
        String kind;

        Degrade() {
            super(null);
        }

        @Override
        FleetControl.Fault fault() {
            return switch (kind) {
                case "ecc" -> FleetControl.Fault.DEGRADE_ECC;
                case "pfa" -> FleetControl.Fault.DEGRADE_PFA;
                default -> throw new IllegalArgumentException("--kind is ecc or pfa, not " + kind);
            };
        }

        @Override
        String target() {
            return host;
        }
    }

    @Command(
            name = "repair",
            header = "Repairs a host, or every host of a rack, of a running `vmres fleet`.",
            description =
                    "The hosts power on and beat again; the job lets them rejoin, empty of the"
                            + " VMs it restarted elsewhere (`fleet failback` brings those back).")
    static final class Repair extends HostOrRack {
        Repair() {
            super(FleetControl.Fault.REPAIR);
        }
    }

    @Command(
            name = "failback",
            header = "Moves the VMs of a repaired host (or rack) back to it.",
            description =
                    "Each VM that lived on the host when the fleet was made and runs elsewhere now"
                            + " is live-migrated back (the inventory tells the job), one copy at"
                            + " all times; a VM whose current host is down, or that does not fit,"
                            + " stays where it is, and the answer says why.")
    static final class Failback extends HostOrRack {
        Failback() {
            super(FleetControl.Fault.FAILBACK);
        }
    }

    /** A request about a host or a rack, named as the inventory names it. */
    abstract static class HostOrRack extends Request {
        @Parameters(paramLabel = "HOST|RACK", description = "The host, or the rack.")
        String target;

        HostOrRack(FleetControl.Fault fault) {
            super(fault);
        }

        @Override
        String target() {
            return target;
        }
    }
}
