package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.RecordArgs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vmres record}: what flows on a running Kafka, kept as a recording. */
@Command(
        name = "record",
        header = "Records the events on a running Kafka into a recording.",
        description = {
            "Records the events on the vmres input topics of a running Kafka into a recording file"
                    + " (JSON Lines), which `vmres replay` reads back.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres record --out incident.jsonl",
            "  vmres record --out incident.jsonl --duration 10m --bootstrap kafka-1:9092",
            "  vmres record --out live.jsonl.gz --from-now"
        })
final class RecordCommand extends Subcommand {

    @Option(
            names = "--out",
            paramLabel = "FILE",
            required = true,
            description = "The recording to write (replaced if it exists).")
    private Path out;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long to record, such as 120s, 5m or PT2M (default: until Ctrl-C).")
    private Duration duration;

    @Option(
            names = "--from-now",
            description =
                    "Record only what comes from now on (default: from the oldest record the topics hold).")
    private boolean fromNow;

    @Mixin private BootstrapOption bootstrap;

    @Override
    public Integer call() throws Exception {
        RecordArgs args =
                new RecordArgs(
                        writableTarget(out, "--out"),
                        Optional.ofNullable(positive(duration, "--duration")),
                        bootstrap.kafka(),
                        fromNow);
        return actions().record(args, lifecycle());
    }
}
