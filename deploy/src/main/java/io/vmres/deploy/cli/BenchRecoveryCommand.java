package io.vmres.deploy.cli;

import io.vmres.deploy.bench.BenchResult;
import io.vmres.deploy.bench.PartSummaries;
import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.deploy.cli.Actions.BenchTarget;
import java.nio.file.Files;
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
                    + " --plot also writes it as SVG. --json gets the detailed figures;"
                    + " DIR/recovery.json the headline ones.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench recovery --json recovery.json --plot recovery.svg",
            "  vmres bench recovery --hosts 100 --seed 2"
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

    @Override
    public Integer call() throws Exception {
        Path svg =
                plot != null ? parent.writable(plot, "--plot") : dir().resolve("recovery-vms.svg");
        BenchArgs args =
                new BenchArgs(
                        BenchTarget.RECOVERY,
                        atLeast(hosts, 20, "--hosts"),
                        Duration.ofHours(1),
                        3,
                        1,
                        Optional.of(details()),
                        Optional.of(svg),
                        Optional.ofNullable(recording).map(r -> parent.writable(r, "--recording")),
                        seed);
        int code = parent.benchActions().bench(args, parent.benchLifecycle());
        if (code == Cli.OK && Files.exists(details())) {
            BenchResult r = PartSummaries.recovery(details(), command());
            PartSummaries.plotFrom(r, "vms", "VMs recovered over time, parallel and serial", svg);
            r.write(dir());
        }
        return code;
    }

    private Path details() throws java.io.IOException {
        return json().orElse(dir().resolve("recovery-details.json"));
    }
}
