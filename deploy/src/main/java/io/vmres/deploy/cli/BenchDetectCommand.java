package io.vmres.deploy.cli;

import io.vmres.deploy.bench.DetectBench;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench detect}: processing-time lag from a host's deadline to its incident. */
@Command(
        name = "detect",
        header =
                "Processing-time lag from event time passing a failed host's deadline to its incident.",
        description = {
            "Runs the live runtime (broker, job, connector, a simulated fleet beating every second)"
                    + " at half and at full load, crashes --crashes hosts at each, and times each"
                    + " incident record against the moment event time could pass its deadline, both"
                    + " from the broker's LogAppendTime. Full load: --full-rate, else the highest"
                    + " of 32,000, 22,600, 16,000, 11,300, 8,000, 5,700 and 4,000 events/s that the"
                    + " runtime sustains (over the warm-up's last 12 s the fleet publishes the rate"
                    + " and the engines' event time keeps up with the wall clock; the warm-up of"
                    + " the rate sustained is its probe). Figures: lag p50, p99 and max at each"
                    + " load; lagP99MsHalfLoad has a target of at most 100 ms.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench detect                         full load probed",
            "  vmres bench detect --full-rate 10000 --crashes 10"
        })
final class BenchDetectCommand extends BenchPart {
    @Option(
            names = "--full-rate",
            paramLabel = "EVENTS_PER_S",
            defaultValue = "0",
            description = "Full load in events/s (default: the highest rate sustained).")
    double fullRate;

    @Option(
            names = "--crashes",
            paramLabel = "N",
            defaultValue = "20",
            description = "Hosts crashed at each load (default: ${DEFAULT-VALUE}).")
    int crashes;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Telemetry before the first crash (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        DetectBench.Options o =
                new DetectBench.Options(
                        fullRate,
                        atLeast(crashes, 1, "--crashes"),
                        DetectBench.Options.defaults().spacing(),
                        warmup,
                        atLeast(parallelism, 1, "--parallelism"));
        return finish(DetectBench.run(o, dir(), command(), console()));
    }
}
