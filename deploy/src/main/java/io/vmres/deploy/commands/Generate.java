package io.vmres.deploy.commands;

import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.deploy.cli.Actions.GenerateArgs;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Locale;

/** {@code vmres generate}: writes a recording of a simulated fleet and says what is in it. */
public final class Generate {
    private Generate() {}

    public static RecordingGenerator.Options options(GenerateArgs a) {
        return new RecordingGenerator.Options(
                a.hosts(),
                a.vmsPerHost(),
                a.duration(),
                a.clusters(),
                a.failures(),
                a.seed(),
                a.heartbeatInterval(),
                a.rackPowerLoss());
    }

    public static int run(GenerateArgs args, PrintStream console) throws Exception {
        long t0 = System.nanoTime();
        if (args.out().toAbsolutePath().getParent() != null) {
            Files.createDirectories(args.out().toAbsolutePath().getParent());
        }
        RecordingGenerator.Result r = RecordingGenerator.write(args.out(), options(args));
        double seconds = (System.nanoTime() - t0) / 1e9;
        console.printf(
                Locale.ROOT,
                "%s: %s, %s, %s, %s of event time, %s (%.1f MB, %.1f s)%n",
                args.out(),
                Words.count(r.events(), "event"),
                Words.count(r.hosts(), "host"),
                Words.count(r.vms(), "VM"),
                args.duration().toString().substring(2).toLowerCase(Locale.ROOT),
                Words.count(r.crashes().size(), "host crash", "host crashes"),
                Files.size(args.out()) / 1e6,
                seconds);
        for (RecordingGenerator.Crash c : r.crashes()) {
            console.printf(
                    Locale.ROOT,
                    "  %-8s rack %-4s crashes at %s, %s%n",
                    c.host(),
                    c.rack(),
                    c.at(),
                    c.powerOff()
                            ? "power reads off at " + c.offAt()
                            : "power never reads off (to be fenced)");
        }
        return 0;
    }
}
