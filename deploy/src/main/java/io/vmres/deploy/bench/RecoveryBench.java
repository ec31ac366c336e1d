package io.vmres.deploy.bench;

import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.engine.ExecutionMode;
import io.vmres.engine.Settings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

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

    public static int run(BenchArgs args, PrintStream console) throws Exception {
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
        return 0;
    }
}
