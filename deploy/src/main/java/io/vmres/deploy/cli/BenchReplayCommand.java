package io.vmres.deploy.cli;

import io.vmres.deploy.bench.PartSummaries;
import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.deploy.cli.Actions.BenchTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench replay}: how fast a generated recording replays. */
@Command(
        name = "replay",
        header = "How fast a generated recording replays, in this JVM and in a fresh one.",
        description = {
            "Generates a recording (as vmres generate, into a temporary folder), then replays it as"
                    + " vmres replay does: --runs times in this JVM after one warm-up run, and once in"
                    + " a fresh java process, JVM start included. Prints wall time, events/s and their"
                    + " ratio to the pipeline's passthrough baseline (130,000 records/s). --json gets"
                    + " every run's figures; DIR/replay.json the headline ones.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench replay",
            "  vmres bench replay --hosts 100 --duration 10m --runs 1 --json bench.json"
        })
final class BenchReplayCommand extends BenchPart {
    @Option(
            names = "--hosts",
            paramLabel = "N",
            defaultValue = "400",
            description = "Hosts in the generated recording (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "1h",
            converter = DurationConverter.class,
            description = "Event time the recording covers (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "3",
            description =
                    "Measured runs in this JVM, after the warm-up (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Parallelism of the replays, as vmres replay's (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        if (duration.isZero() || duration.isNegative()) {
            throw usage("--duration must be longer than zero");
        }
        BenchArgs args =
                new BenchArgs(
                        BenchTarget.REPLAY,
                        atLeast(hosts, 1, "--hosts"),
                        duration,
                        atLeast(runs, 1, "--runs"),
                        atLeast(parallelism, 1, "--parallelism"),
                        Optional.of(details()),
                        Optional.empty(),
                        Optional.empty(),
                        1,
                        dir(),
                        java.util.List.of(),
                        false,
                        command());
        int code = parent.benchActions().bench(args, parent.benchLifecycle());
        if (code == Cli.OK && Files.exists(details())) {
            PartSummaries.replay(details(), command()).write(dir());
        }
        return code;
    }

    private Path details() throws java.io.IOException {
        return json().orElse(dir().resolve("replay-details.json"));
    }
}
