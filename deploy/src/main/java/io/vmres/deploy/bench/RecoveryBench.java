package io.vmres.deploy.bench;

import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.engine.ExecutionMode;
import io.vmres.engine.Settings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code vmres bench recovery}: a rack of a fleet loses power; the cluster engine recovers its VMs
 * in event time (the replay engine with its simulated hypervisor, so that hours of a serial
 * recovery take seconds), once as vmres does (parallel) and once as a recovery manager without
 * parallelism would (serial: one command at a time, a disk mapping per VM). Prints both recovery
 * times, their ratio, the ratio of the parallel one to the critical-path lower bound, and a plot of
 * the VMs recovered over time.
 */
public final class RecoveryBench {
    private RecoveryBench() {}

    /**
     * What {@code bench recovery} runs: the fleet of {@code hosts} (its rack's recovery in detail),
     * then the failures of {@code sizes} VMs; the serial baseline of a size runs when it fits
     * {@code serialEvents} events.
     */
    public record Options(
            int hosts,
            long seed,
            List<Integer> sizes,
            long serialEvents,
            Optional<Path> json,
            Optional<Path> plot,
            Optional<Path> recording) {
        public Options {
            sizes.forEach(RecoveryScaling::hostsFor);
        }

        /** The options of the command line as it was before results folders. */
        static Options of(BenchArgs args) {
            return new Options(
                    args.hosts(),
                    args.seed(),
                    args.sizes(),
                    RecoveryScaling.SERIAL_EVENTS,
                    args.json(),
                    args.plot(),
                    args.recording());
        }
    }

    /** The failure sizes run by default, in VMs. */
    public static final List<Integer> SIZES = RecoveryScaling.SIZES;

    public static int run(BenchArgs args, PrintStream console) throws Exception {
        return run(Options.of(args), args.out(), args.command(), console);
    }

    /**
     * Runs {@code bench recovery} and writes {@code recovery.json}, {@code recovery.md}, {@code
     * recovery-over-time.svg} and {@code recovery-scaling.svg} into {@code dir}.
     *
     * @return 0 when every target is met, else 1
     */
    public static int run(Options args, Path dir, String command, PrintStream console)
            throws Exception {
        Files.createDirectories(dir);
        Map<String, Object> machine = Bench.machine();
        Settings settings = Settings.DEFAULTS;
        RecoveryFleet fleet = RecoveryFleet.generate(args.hosts(), args.seed());
        RecoveryReport.printSetup(console, fleet, settings);

        console.println("parallel: recovering in event time...");
        RecoveryRun parallel;
        if (args.recording().isPresent()) {
            try (RecoveryRecording w =
                    new RecoveryRecording(args.recording().get(), fleet, args.seed())) {
                parallel =
                        RecoveryRun.simulate(fleet, settings, ExecutionMode.PARALLEL, console, w);
            }
            console.println("  its input: " + args.recording().get());
        } else {
            parallel = RecoveryRun.simulate(fleet, settings, ExecutionMode.PARALLEL, console, null);
        }
        RecoveryReport.printRun(console, parallel);
        console.println("serial: recovering in event time, one command at a time...");
        RecoveryRun serial =
                RecoveryRun.simulate(fleet, settings, ExecutionMode.SERIAL, console, null);
        RecoveryReport.printRun(console, serial);

        RecoveryReport report =
                new RecoveryReport(
                        fleet,
                        settings,
                        parallel,
                        serial,
                        RecoveryLowerBound.of(fleet, settings, parallel));
        report.printSummary(console);

        if (args.plot().isPresent()) {
            Files.writeString(
                    args.plot().get(),
                    RecoveryPlots.svg(parallel, serial, report.bound().total()),
                    StandardCharsets.UTF_8);
            console.println("plot: " + args.plot().get());
        }
        if (args.json().isPresent()) {
            report.writeJson(args.json().get());
            console.println("figures: " + args.json().get());
        }

        console.println();
        RecoveryScaling.Point main =
                new RecoveryScaling.Point(
                        fleet.failedVms(), fleet.hosts(), parallel, serial, report.bound().total());
        List<RecoveryScaling.Point> points =
                RecoveryScaling.run(args.sizes(), args.seed(), args.serialEvents(), main, console);
        RecoveryFiles files =
                new RecoveryFiles(report, points, args.serialEvents(), machine, command);
        files.write(dir);
        console.print(files.scalingTable());
        console.println("results: " + dir.resolve("recovery.md"));
        return files.allMet() ? 0 : 1;
    }
}
