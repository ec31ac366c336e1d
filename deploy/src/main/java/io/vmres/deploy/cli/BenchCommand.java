package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.deploy.cli.Actions.BenchTarget;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmres bench}: how fast vmres does its work on this machine. */
@Command(
        name = "bench",
        header = "Measures how fast a generated recording replays, or a rack is recovered.",
        description = {
            "bench replay: generates a recording (as vmres generate, into a temporary folder), then"
                    + " replays it as vmres replay does: --runs times in this JVM after one warm-up run,"
                    + " and once in a fresh java process, JVM start included. Prints wall time, events/s"
                    + " and their ratio to the pipeline's passthrough baseline (130,000 records/s).",
            "",
            "bench recovery: a fleet of --hosts hosts (default 400, 25 VMs each, in one cluster) in"
                    + " which a rack of a tenth of them loses power. The cluster engine recovers its VMs in"
                    + " event time twice: in parallel, as vmres does, and serially (one command at a time,"
                    + " one disk mapping per VM). Prints both recovery times, the speedup, the ratio to the"
                    + " critical-path lower bound and a plot of the VMs recovered over time; --plot also"
                    + " writes it as SVG. --duration, --runs and --parallelism do not apply to it.",
            "",
            "Numbers on a loaded machine are noisy: run it on an idle one.",
            ""
        },
        subcommands = {BenchLiveCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench replay",
            "  vmres bench replay --hosts 100 --duration 10m --runs 1 --json bench.json",
            "  vmres bench recovery --json recovery.json --plot recovery.svg"
        })
final class BenchCommand extends Subcommand {

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "WHAT",
            description = "What to measure: ${COMPLETION-CANDIDATES}.")
    private BenchTarget target;

    @Option(
            names = "--hosts",
            paramLabel = "N",
            defaultValue = "400",
            description = "Hosts in the generated recording (default: ${DEFAULT-VALUE}).")
    private int hosts;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "Event time the recording covers (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "3",
            description =
                    "Measured runs in this JVM, after the warm-up (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Parallelism of the replays, as vmres replay's (default: ${DEFAULT-VALUE}).")
    private int parallelism;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also writes the figures to this file as JSON.")
    private Path json;

    @Option(
            names = "--plot",
            paramLabel = "FILE",
            description = "bench recovery: also writes the VMs recovered over time as SVG.")
    private Path plot;

    @Option(
            names = "--recording",
            paramLabel = "FILE",
            description =
                    "bench recovery: also writes the parallel run's input as a recording, for vmres replay"
                            + " and the spec's checker.")
    private Path recording;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "1",
            description =
                    "bench recovery: seed of the fleet and of its failed rack (default:"
                            + " ${DEFAULT-VALUE}).")
    private long seed;

    @Override
    public Integer call() throws Exception {
        if (target == null) {
            // optional only so that the subcommands (bench live) parse without it
            throw usage("Missing required parameter: 'WHAT'");
        }
        BenchArgs args =
                new BenchArgs(
                        target,
                        atLeast(hosts, target == BenchTarget.RECOVERY ? 20 : 1, "--hosts"),
                        positive(duration, "--duration"),
                        atLeast(runs, 1, "--runs"),
                        atLeast(parallelism, 1, "--parallelism"),
                        Optional.ofNullable(json).map(j -> writableTarget(j, "--json")),
                        Optional.ofNullable(plot).map(p -> writableTarget(p, "--plot")),
                        Optional.ofNullable(recording).map(r -> writableTarget(r, "--recording")),
                        seed);
        return actions().bench(args, lifecycle());
    }
}
