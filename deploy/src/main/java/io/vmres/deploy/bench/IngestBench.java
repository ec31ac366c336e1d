package io.vmres.deploy.bench;

import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.deploy.bench.LiveBenchRig.Job;
import io.vmres.deploy.bench.LiveBenchRig.Run;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vmres bench ingest}: the full live job ({@link io.vmres.job.live.LiveJob}'s graph, as
 * {@code LiveRuntime} builds it) against the passthrough baseline ({@link Passthrough}) on the same
 * prefilled topics of a real broker, alternately, in the same process: events per second of each
 * and their ratio.
 */
public final class IngestBench {
    /** The live job must ingest at least this share of the passthrough's rate. */
    public static final double TARGET_RATIO = 0.70;

    /** What to measure: a fleet of {@code hosts}, {@code rounds} of telemetry, {@code repeats}. */
    public record Options(int hosts, int vmsPerHost, int rounds, int repeats, int parallelism) {
        public static Options defaults() {
            return new Options(10_000, 10, 60, 2, 2);
        }
    }

    private IngestBench() {}

    public static BenchResult run(Options o, String command, PrintStream console) throws Exception {
        BenchResult result = new BenchResult("ingest", BenchResult.machineNow(), command);
        SimulatedFleet.Builder fleet =
                SimulatedFleet.builder()
                        .hosts(o.hosts())
                        .vmsPerHost(o.vmsPerHost())
                        .clusters(Math.max(1, o.hosts() / 1000))
                        .sparesPerCluster(o.hosts() >= 40 ? 2 : 0)
                        .seed(1);
        List<Run> live = new ArrayList<>();
        List<Run> passthrough = new ArrayList<>();
        long produced;
        try (LiveBenchRig rig = new LiveBenchRig(fleet, Duration.ofSeconds(1), o.parallelism())) {
            try (BenchProgress p = new BenchProgress(console, "ingest: writing the topics")) {
                produced = rig.prefill(o.rounds(), true, p);
            }
            console.printf(
                    Locale.ROOT,
                    "ingest: %,d hosts, %,d VMs, %d rounds of telemetry: %,d records on the input"
                            + " topics%n",
                    rig.fleet().hosts().size(),
                    rig.fleet().vms().size(),
                    o.rounds(),
                    produced);
            Duration timeout = Duration.ofSeconds(60 + produced / 2_000);
            // one passthrough run first, not counted: the first run in the process also pays for
            // compiling the Kafka client's and Flink's paths both jobs share, and for the broker
            // settling after the writes; whichever job went first would be the slower for it
            try (BenchProgress p = new BenchProgress(console, "ingest: warm-up")) {
                Run warm = runOnce(rig, Job.PASSTHROUGH, produced, timeout, p, console);
                console.printf(
                        Locale.ROOT,
                        "  warm-up      (passthrough, not counted): %.2f s, %.2f s of CPU%n",
                        warm.seconds(),
                        warm.cpuSeconds());
            }
            for (int i = 0; i < o.repeats(); i++) {
                // alternate which goes first, so that neither always meets the same load
                List<Job> order =
                        i % 2 == 0
                                ? List.of(Job.PASSTHROUGH, Job.LIVE)
                                : List.of(Job.LIVE, Job.PASSTHROUGH);
                for (Job job : order) {
                    Run r;
                    try (BenchProgress p =
                            new BenchProgress(
                                    console,
                                    "ingest: "
                                            + job.name().toLowerCase(Locale.ROOT)
                                            + " "
                                            + (i + 1))) {
                        r = runOnce(rig, job, produced, timeout, p, console);
                    }
                    (job == Job.LIVE ? live : passthrough).add(r);
                    console.printf(
                            Locale.ROOT,
                            "  %-12s run %d: %,d records in %.2f s, %,.0f events/s; into the"
                                    + " engines in %.2f s; %.2f s of CPU, %,.0f events per CPU"
                                    + " second (load average %.2f)%n",
                            job.name().toLowerCase(Locale.ROOT),
                            i + 1,
                            r.events(),
                            r.seconds(),
                            r.eventsPerS(),
                            r.decidedSeconds(),
                            r.cpuSeconds(),
                            r.eventsPerCpuS(),
                            BenchResult.loadAverage());
                }
            }
        }
        double liveRate = rate(live);
        double baseRate = rate(passthrough);
        double ratio = liveRate / baseRate;
        double liveDecided = rate(live, Run::decidedSeconds);
        double baseDecided = rate(passthrough, Run::decidedSeconds);
        double liveCpu = rate(live, Run::cpuSeconds);
        double baseCpu = rate(passthrough, Run::cpuSeconds);
        long liveCounted = live.stream().mapToLong(Run::events).min().orElse(0);
        long baseCounted = passthrough.stream().mapToLong(Run::events).min().orElse(0);
        result.describe(
                        String.format(
                                Locale.ROOT,
                                "A real broker (EmbeddedKafka, 4 partitions a topic) is filled with the"
                                        + " inventory and %d one-second rounds of telemetry of a"
                                        + " simulated fleet of %,d hosts (%,d VMs, %d clusters):"
                                        + " heartbeats on both channels, power readings, health"
                                        + " samples. After one passthrough run not counted (a"
                                        + " warm-up), alternately and %d times each, the live"
                                        + " job (LiveJob's graph, exactly-once, checkpoints every"
                                        + " 5 s while it reads the backlog, parallelism %d) and the"
                                        + " passthrough (Kafka in, Avro decode, keyBy host, Kafka"
                                        + " out, exactly-once, checkpoints every 5 s) read"
                                        + " every record from the start on a MiniCluster of their"
                                        + " own. A run's rate is the records its source emitted"
                                        + " from the first seen to the last, over that time (the"
                                        + " source's numRecordsOut from Flink's REST API, read"
                                        + " every 50 ms); a kind's rate is its records over its"
                                        + " time, all runs together. The live job's engines get"
                                        + " most of their input after the source's last record"
                                        + " (event time waits for the backlog to be read, the"
                                        + " routing for event time): its rate until the engines"
                                        + " had the last record (their input count still for 3 s)"
                                        + " and each job's records per second of the process's"
                                        + " CPU time are given too.",
                                o.rounds(),
                                o.hosts(),
                                (long) o.hosts() * o.vmsPerHost(),
                                Math.max(1, o.hosts() / 1000),
                                o.repeats(),
                                o.parallelism()))
                .figure("hosts", o.hosts(), "", "hosts of the fleet")
                .figure("eventsProduced", produced, "", "records written to the input topics")
                .figure(
                        "eventsCountedLive",
                        liveCounted,
                        "",
                        "records the live job's source emitted (fewest of its runs)",
                        BenchResult.format(baseCounted) + " (passthrough)")
                .figure(
                        "liveEventsPerS",
                        Math.rint(liveRate),
                        "events/s",
                        "the live job's rate",
                        String.format(Locale.ROOT, "%,.0f events/s (passthrough)", baseRate))
                .figure(
                        "passthroughEventsPerS",
                        Math.rint(baseRate),
                        "events/s",
                        "the passthrough's rate, same topics, same run")
                .figure(
                        "ratioToPassthrough",
                        round3(ratio),
                        "",
                        "live rate / passthrough rate",
                        "1 (passthrough)",
                        BenchResult.Target.min(TARGET_RATIO))
                .figure(
                        "liveDecidedEventsPerS",
                        Math.rint(liveDecided),
                        "events/s",
                        "the live job's records over the time until the engines had the last"
                                + " the reading released",
                        String.format(Locale.ROOT, "%,.0f events/s (passthrough)", baseDecided))
                .figure(
                        "ratioDecidedToPassthrough",
                        round3(liveDecided / baseDecided),
                        "",
                        "the same, over the passthrough's rate",
                        "1 (passthrough)")
                .figure(
                        "liveEventsPerCpuS",
                        Math.rint(liveCpu),
                        "events/CPU s",
                        "the live job's records per second of the process's CPU time, until"
                                + " the engines had them",
                        String.format(Locale.ROOT, "%,.0f (passthrough)", baseCpu))
                .figure(
                        "passthroughEventsPerCpuS",
                        Math.rint(baseCpu),
                        "events/CPU s",
                        "the passthrough's records per second of CPU time")
                .figure(
                        "cpuRatioToPassthrough",
                        round3(liveCpu / baseCpu),
                        "",
                        "live / passthrough events per CPU second: the ratio that the machine's"
                                + " load moves least",
                        "1 (passthrough)")
                .figure(
                        "loadAverageEnd",
                        BenchResult.loadAverage(),
                        "",
                        "one-minute load average at the end");
        List<SvgPlot.Bar> bars = new ArrayList<>();
        for (int i = 0; i < Math.max(live.size(), passthrough.size()); i++) {
            if (i < passthrough.size()) {
                bars.add(
                        new SvgPlot.Bar(
                                "passthrough " + (i + 1),
                                Math.rint(passthrough.get(i).eventsPerS())));
            }
            if (i < live.size()) {
                bars.add(new SvgPlot.Bar("live " + (i + 1), Math.rint(live.get(i).eventsPerS())));
            }
        }
        result.plot(
                "rates",
                "events/s of each run; the dashed line is 0.70 of the passthrough's rate",
                SvgPlot.bars(
                        "Ingest: events/s of each run (dashed: 0.70 x passthrough)",
                        "events/s",
                        bars,
                        TARGET_RATIO * baseRate));
        console.printf(
                Locale.ROOT,
                "ingest: live %,.0f events/s, passthrough %,.0f events/s: ratio %.3f (target at least"
                        + " %.2f: %s); into the engines %.3f; per CPU second %.3f%n",
                liveRate,
                baseRate,
                ratio,
                TARGET_RATIO,
                ratio >= TARGET_RATIO ? "met" : "missed",
                liveDecided / baseDecided,
                liveCpu / baseCpu);
        return result;
    }

    /** Attempts at a run whose job restarts on the way (it would have read records twice). */
    static final int ATTEMPTS = 3;

    /** A run, made again (up to {@link #ATTEMPTS} in all) while its job restarts on the way. */
    private static Run runOnce(
            LiveBenchRig rig,
            Job job,
            long produced,
            Duration timeout,
            BenchProgress p,
            PrintStream console)
            throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return rig.run(job, produced, timeout, 0, p);
            } catch (LiveBenchRig.Restarted e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                console.println("  " + e.getMessage() + "; running it again");
            }
        }
    }

    private static double rate(List<Run> runs) {
        return rate(runs, Run::seconds);
    }

    /** All runs' records over all their {@code time}. */
    private static double rate(List<Run> runs, java.util.function.ToDoubleFunction<Run> time) {
        double events = 0;
        double seconds = 0;
        for (Run r : runs) {
            events += r.eventsPerS() * r.seconds();
            seconds += time.applyAsDouble(r);
        }
        return seconds == 0 ? 0 : events / seconds;
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
