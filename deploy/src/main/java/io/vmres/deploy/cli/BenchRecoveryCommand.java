package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.deploy.cli.Actions.BenchTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench recovery}: a rack's recovery, parallel against serial and the bound. */
@Command(
        name = "recovery",
        header = "How fast a rack that loses power is recovered, against serial and the bound.",
        description = {
            "A fleet of --hosts hosts (default 400, 25 VMs each, in one cluster) in which a rack of"
                    + " a tenth of them loses power. The cluster engine recovers its VMs in event time"
                    + " twice: in parallel, as vmres does, and serially (one command at a time, one"
                    + " disk mapping per VM). Prints both recovery times, the speedup, the ratio to"
                    + " the critical-path lower bound and a plot of the VMs recovered over time;"
                    + " --plot also writes it as SVG. Then failures of --sizes VMs (fleets of 0.4 hosts"
                    + " per failed VM): parallel against the lower bound, serial where it fits in"
                    + " time, for the scaling table. --json gets the detailed figures;"
                    + " DIR/recovery.json, DIR/recovery.md and DIR/recovery-*.svg the suite's.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench recovery --json recovery.json --plot recovery.svg",
            "  vmres bench recovery --hosts 100 --seed 2",
            "  vmres bench recovery --sizes 100,1000"
        })
final class BenchRecoveryCommand extends BenchPart {
    @Option(
            names = "--hosts",
            paramLabel = "N",
            defaultValue = "400",
            description = "Hosts of the fleet (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--plot",
            paramLabel = "FILE",
            description = "Also writes the VMs recovered over time as SVG.")
    Path plot;

    @Option(
            names = "--recording",
            paramLabel = "FILE",
            description =
                    "Also writes the parallel run's input as a recording, for vmres replay and the"
                            + " spec's checker.")
    Path recording;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "1",
            description = "Seed of the fleet and of its failed rack (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--sizes",
            paramLabel = "VMS",
            split = ",",
            defaultValue = "100,1000,10000",
            description =
                    "The failure sizes, in VMs (multiples of 25), of the scaling table (default:"
                            + " ${DEFAULT-VALUE}).")
    java.util.List<Integer> sizes;

    @Override
    public Integer call() throws Exception {
        for (int size : sizes) {
            if (size < 25 || size % 25 != 0) {
                throw usage("--sizes: failure sizes are multiples of 25 VMs, was " + size);
            }
        }
        BenchArgs args =
                new BenchArgs(
                        BenchTarget.RECOVERY,
                        atLeast(hosts, 20, "--hosts"),
                        Duration.ofHours(1),
                        3,
                        1,
                        json(),
                        Optional.ofNullable(plot).map(p -> parent.writable(p, "--plot")),
                        Optional.ofNullable(recording).map(r -> parent.writable(r, "--recording")),
                        seed,
                        dir(),
                        sizes,
                        false,
                        command());
        parent.benchActions().bench(args, parent.benchLifecycle());
        return Cli.OK; // a missed target is a finding, told in the report, as in every part
    }
}
