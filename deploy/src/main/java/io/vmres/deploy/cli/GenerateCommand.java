package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.GenerateArgs;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vmres generate}: a realistic recording of a simulated fleet, for replay and benchmarks.
 */
@Command(
        name = "generate",
        header = "Writes a recording of a simulated fleet with host crashes.",
        description = {
            "Writes a recording (JSON Lines, gzip when the name ends in .gz) of a simulated fleet:"
                    + " hosts in racks, power and storage domains, VMs with sizes, priorities,"
                    + " anti-affinity groups and disks; heartbeats on both channels of every live host,"
                    + " power readings and benign health samples; and host crashes spread over the"
                    + " duration, most followed by a power reading of off, some not (the job fences"
                    + " those). The same options and seed give the same bytes.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres generate --out fleet.jsonl.gz                 400 hosts, one hour: ~600,000 events",
            "  vmres generate --out small.jsonl --hosts 20 --duration 10m --failures 2 --seed 7",
            "  vmres generate --out rack.jsonl --rack-power-loss --failures 0"
        })
final class GenerateCommand extends Subcommand {

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "The recording to write (gzip when it ends in .gz).")
    private Path out;

    @Option(
            names = "--hosts",
            paramLabel = "N",
            defaultValue = "400",
            description = "Hosts in the fleet (default: ${DEFAULT-VALUE}).")
    private int hosts;

    @Option(
            names = "--vms-per-host",
            paramLabel = "N",
            defaultValue = "10",
            description = "VMs per host on average (default: ${DEFAULT-VALUE}).")
    private int vmsPerHost;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description =
                    "Event time the recording covers, such as 10m or 1h (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(
            names = "--clusters",
            paramLabel = "N",
            defaultValue = "4",
            description =
                    "Clusters the hosts are split into (default: ${DEFAULT-VALUE}). Keep several hosts per"
                            + " cluster: half of a cluster silent at once is a telemetry outage, not failures.")
    private int clusters;

    @Option(
            names = "--failures",
            paramLabel = "N",
            defaultValue = "10",
            description = "Host crashes spread over the duration (default: ${DEFAULT-VALUE}).")
    private int failures;

    @Option(
            names = "--rack-power-loss",
            description = "Also one rack losing power: all its hosts at once.")
    private boolean rackPowerLoss;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Seed: the same seed gives the same file (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(
            names = "--heartbeat-interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description =
                    "Time between two heartbeats of a host's channel (default: ${DEFAULT-VALUE}).")
    private Duration heartbeatInterval;

    @Override
    public Integer call() throws Exception {
        GenerateArgs args =
                new GenerateArgs(
                        writableTarget(out, "--out"),
                        atLeast(hosts, 1, "--hosts"),
                        atLeast(vmsPerHost, 0, "--vms-per-host"),
                        positive(duration, "--duration"),
                        atLeast(clusters, 1, "--clusters"),
                        atLeast(failures, 0, "--failures"),
                        seed,
                        positive(heartbeatInterval, "--heartbeat-interval"),
                        rackPowerLoss);
        if (clusters > hosts) {
            throw usage("--clusters " + clusters + " is more than --hosts " + hosts);
        }
        if (heartbeatInterval.toMillis() < 100) {
            throw usage("--heartbeat-interval must be at least 100ms");
        }
        return actions().generate(args, lifecycle());
    }
}
