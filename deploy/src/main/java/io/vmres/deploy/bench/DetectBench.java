package io.vmres.deploy.bench;

import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.engine.Settings;
import io.vmres.job.live.LiveOptions;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Incident;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code vmres bench detect}: how long after event time allows it the job writes a failed host's
 * incident, in processing time, with the fleet's telemetry flowing live at half and at full load.
 *
 * <p>For each crashed host the incident's own {@code ts} is the deadline the engine decided at.
 * Event time passes it when every heartbeat partition has carried a record appended after it by
 * {@code maxClockSkew} + {@code appendTimeMargin} (each partition's watermark trails its greatest
 * append time by that much, {@code InputWatermarks}): the append time of the first such record, the
 * latest over the partitions, is when the watermark could pass the deadline. The lag is the
 * incident record's append time less that. Both are the broker's {@code LogAppendTime}, so no clock
 * but the broker's is read. The other partitions (power, health, inventory) are the job's to keep
 * up: what they hold event time back is in the lag.
 */
public final class DetectBench {
    /**
     * System properties {@code vmres.bench.flink.KEY=VALUE} set Flink's {@code KEY} in the bench's
     * runtime: to compare settings.
     */
    static final String FLINK_PROPERTY = "vmres.bench.flink.";

    /** p99 of the lag at half load at most this. */
    public static final double TARGET_P99_MS = 100;

    /**
     * Events a host sends a second at a heartbeat interval of 1 s: 2 beats, a fifth of a power
     * reading.
     */
    static final double EVENTS_PER_HOST_S = 2.2;

    /**
     * Full load in events/s ({@code 0}: the highest rate of {@link #PROBE_RATES} the live runtime
     * sustains), crashes per load, seconds between them, the warm-up (the last {@link
     * #PROBE_WINDOW} of it, or half of it if shorter, is watched to tell whether the load is
     * sustained).
     */
    public record Options(
            double fullEventsPerS,
            int crashes,
            Duration spacing,
            Duration warmup,
            int parallelism) {
        public static Options defaults() {
            return new Options(0, 20, Duration.ofSeconds(2), Duration.ofSeconds(30), 2);
        }
    }

    /**
     * The phases the fleet's hosts beat at, spread over the heartbeat interval (50 ms apart), as
     * real hosts beat each at its own moment.
     */
    static final int BEAT_PHASES = 20;

    /**
     * The rates tried for full load, highest first, each {@code 1/sqrt 2} of the one before: the
     * first the live runtime sustains is full load (its warm-up was the probe; the crashes follow).
     */
    static final List<Double> PROBE_RATES =
            List.of(32_000.0, 22_600.0, 16_000.0, 11_300.0, 8_000.0, 5_700.0, 4_000.0);

    /** How much of the warm-up's end is watched for whether the load is sustained. */
    static final Duration PROBE_WINDOW = Duration.ofSeconds(12);

    /** The fleet must publish at least this share of the events its hosts are due to send. */
    static final double PUBLISHED_SHARE = 0.9;

    /**
     * The engine's event time may trail the wall clock by the watermark's own delay (maxClockSkew +
     * appendTimeMargin) and at most this more, over the window's last third.
     */
    static final double LAG_ABOVE_DESIGN_MS = 1_000;

    /** ... and may not grow from the window's first third to its last by more than this. */
    static final double LAG_GROWTH_MS = 250;

    /**
     * How much longer than the warm-up (less its window) the job may take to bring event time
     * within reach after its start.
     */
    static final Duration CATCH_UP_MORE = Duration.ofSeconds(40);

    /** From when on the job's catching up is judged (a load it falls behind is given up). */
    static final Duration CATCH_UP_JUDGED_AFTER = Duration.ofSeconds(25);

    /** How often event time is sampled, ms. */
    static final long SAMPLE_MS = 250;

    /**
     * Whether the job falls behind while it catches up: event time out of reach ({@code
     * designLagMs} + {@link #LAG_ABOVE_DESIGN_MS}) and no nearer than 10 s before ({@code
     * lagBeforeMs}). A load that falls behind is not sustained.
     */
    static boolean fallingBehind(double lagMs, double lagBeforeMs, double designLagMs) {
        return !(lagMs <= designLagMs + LAG_ABOVE_DESIGN_MS) && !(lagMs < lagBeforeMs);
    }

    /** The vertex whose event time says whether the job keeps up: the engines'. */
    static final String ENGINE_VERTEX = "decide";

    /**
     * What the window at the end of a warm-up saw: the events the fleet published a second, the
     * engines' event time behind the wall clock (mean of the window's first and last thirds, ms;
     * infinite while there was none), each vertex's mean over the window, and whether the load was
     * sustained ({@link #sustained}).
     */
    record Probe(
            double eventsPerS,
            double publishedPerS,
            double lagEarlyMs,
            double lagLateMs,
            Map<String, Double> vertexLagMs,
            boolean sustained) {}

    /**
     * Whether a load of {@code eventsPerS} is sustained: the fleet published at least {@link
     * #PUBLISHED_SHARE} of it, and the engines' event time kept up with the wall clock: over the
     * window's last third it trailed by at most {@code designLagMs} (the watermark's own delay) +
     * {@link #LAG_ABOVE_DESIGN_MS}, no more than {@link #LAG_GROWTH_MS} more than over its first.
     */
    static boolean sustained(
            double eventsPerS,
            double publishedPerS,
            double lagEarlyMs,
            double lagLateMs,
            double designLagMs) {
        return publishedPerS >= PUBLISHED_SHARE * eventsPerS
                && lagLateMs <= designLagMs + LAG_ABOVE_DESIGN_MS
                && lagLateMs - lagEarlyMs <= LAG_GROWTH_MS;
    }

    /**
     * The probe of a load of {@code eventsPerS} from the window's samples of the engines' event
     * time behind the wall clock ({@code engineLagsMs}, in order; infinite while there was none).
     */
    static Probe probe(
            double eventsPerS,
            double publishedPerS,
            List<Double> engineLagsMs,
            Map<String, Double> vertexLagMs,
            double designLagMs) {
        int n = engineLagsMs.size();
        int third = Math.max(1, n / 3);
        double early = mean(engineLagsMs.subList(0, Math.min(third, n)));
        double late = mean(engineLagsMs.subList(Math.max(0, n - third), n));
        return new Probe(
                eventsPerS,
                publishedPerS,
                early,
                late,
                vertexLagMs,
                sustained(eventsPerS, publishedPerS, early, late, designLagMs));
    }

    /** One load's lags, in ms, and what its warm-up's window saw. */
    record Level(
            String name,
            int hosts,
            double eventsPerS,
            List<Double> lagsMs,
            int crashes,
            int crashesInIncidents,
            Probe probe) {}

    private DetectBench() {}

    public static BenchResult run(Options o, Path dir, String command, PrintStream console)
            throws Exception {
        BenchResult result = new BenchResult("detect", BenchResult.machineNow(), command);
        double designLagMs =
                Settings.DEFAULTS.maxClockSkewMs() + LiveOptions.APPEND_TIME_MARGIN.toMillis();
        List<Probe> probes = new ArrayList<>();
        Level whole = null;
        String fullFrom;
        if (o.fullEventsPerS() > 0) {
            fullFrom = "given with --full-rate";
            whole = level("full", o.fullEventsPerS(), false, o, console);
            probes.add(whole.probe());
        } else {
            for (int i = 0; i < PROBE_RATES.size() && whole == null; i++) {
                // the lowest rate is measured whether it is sustained or not (then said so)
                boolean last = i == PROBE_RATES.size() - 1;
                Level l = level("full", PROBE_RATES.get(i), !last, o, console);
                probes.add(l.probe());
                if (l.probe().sustained() || last) {
                    whole = l;
                }
            }
            fullFrom =
                    whole.probe().sustained()
                            ? (whole.eventsPerS() >= PROBE_RATES.get(0) * 0.99
                                    ? "the highest rate probed, sustained (the live runtime may"
                                            + " sustain more)"
                                    : "the highest rate probed that the live runtime sustained")
                            : "the lowest rate probed: none was sustained";
        }
        Level half = level("half", whole.eventsPerS() / 2, false, o, console);
        double full = whole.eventsPerS();
        List<Level> levels = List.of(half, whole);
        StringBuilder tried = new StringBuilder();
        for (Probe p : probes) {
            tried.append(
                    String.format(
                            Locale.ROOT,
                            "%s%,.0f events/s (published %,.0f/s, event time %.0f then %.0f ms"
                                    + " behind: %s)",
                            tried.length() == 0 ? "" : "; ",
                            p.eventsPerS(),
                            p.publishedPerS(),
                            p.lagEarlyMs(),
                            p.lagLateMs(),
                            p.sustained() ? "sustained" : "not sustained"));
        }
        result.describe(
                String.format(
                        Locale.ROOT,
                        "The live runtime (EmbeddedKafka with append time on its topics, the live"
                                + " job at parallelism %d, the connector, a simulated fleet"
                                + " beating every second) runs at full and at half load (full:"
                                + " %,.0f events/s, %s; a host sends about %.1f events/s). Full"
                                + " load is the first of %s events/s (each 1/sqrt 2 of the one"
                                + " before) that the runtime sustains: once the job has read the"
                                + " backlog of its start (event time within reach of the wall"
                                + " clock; a load whose event time falls further behind over 10 s"
                                + " is given up), over the last %d s of the"
                                + " warm-up, the fleet published at least %.0f%% of the rate and"
                                + " the engines' event time (their input watermark, Flink's REST"
                                + " API) trailed the wall clock by at most %.0f ms (the"
                                + " watermark's own delay) + %.0f ms over the window's last third,"
                                + " and grew by at most %.0f ms from its first third. Probed: %s."
                                + " After %d s of warm-up, %d hosts crash %d s apart. Lag: the"
                                + " incident's append time less the time event time could pass its"
                                + " deadline (the incident's ts): the latest, over the heartbeat"
                                + " topic's partitions, append time of the first record appended"
                                + " after the deadline by maxClockSkew + appendTimeMargin (%.0f"
                                + " ms), each partition's watermark trailing its append time by"
                                + " that. Both from the broker's LogAppendTime. The hosts beat at"
                                + " %d phases spread over the second.",
                        o.parallelism(),
                        full,
                        fullFrom,
                        EVENTS_PER_HOST_S,
                        PROBE_RATES.stream()
                                .map(r -> String.format(Locale.ROOT, "%,.0f", r))
                                .toList(),
                        window(o).toSeconds(),
                        PUBLISHED_SHARE * 100,
                        designLagMs,
                        LAG_ABOVE_DESIGN_MS,
                        LAG_GROWTH_MS,
                        tried,
                        o.warmup().toSeconds(),
                        o.crashes(),
                        o.spacing().toSeconds(),
                        designLagMs,
                        BEAT_PHASES));
        result.figure("fullLoadEventsPerS", Math.rint(full), "events/s", "full load: " + fullFrom)
                .figure(
                        "fullLoadSustained",
                        whole.probe().sustained() ? 1 : 0,
                        "",
                        "1 if the live runtime sustained full load in its warm-up")
                .figure(
                        "halfLoadSustained",
                        half.probe().sustained() ? 1 : 0,
                        "",
                        "1 if the live runtime sustained half load in its warm-up");
        for (Level l : levels) {
            String p = l.name();
            result.figure(
                            "hosts" + cap(p) + "Load",
                            l.hosts(),
                            "",
                            "hosts beating at " + p + " load")
                    .figure(
                            "publishedPerS" + cap(p) + "Load",
                            Math.rint(l.probe().publishedPerS()),
                            "events/s",
                            "events the fleet published a second at " + p + " load")
                    .figure(
                            "eventTimeLagMs" + cap(p) + "Load",
                            Math.rint(l.probe().lagLateMs()),
                            "ms",
                            "the engines' event time behind the wall clock at "
                                    + p
                                    + " load, end of the warm-up ("
                                    + Math.round(designLagMs)
                                    + " ms by design)")
                    .figure(
                            "incidents" + cap(p) + "Load",
                            l.lagsMs().size(),
                            "",
                            String.format(
                                    Locale.ROOT,
                                    "incidents timed (%d hosts crashed, %d of them in an"
                                            + " incident within 60 s)",
                                    l.crashes(),
                                    l.crashesInIncidents()));
        }
        result.figure(
                        "lagP50MsHalfLoad",
                        pct(half.lagsMs(), 50),
                        "ms",
                        "lag p50 at half load",
                        String.format(Locale.ROOT, "%.0f ms (full load)", pct(whole.lagsMs(), 50)))
                .figure(
                        "lagP99MsHalfLoad",
                        pct(half.lagsMs(), 99),
                        "ms",
                        "lag p99 at half load",
                        String.format(Locale.ROOT, "%.0f ms (full load)", pct(whole.lagsMs(), 99)),
                        BenchResult.Target.max(TARGET_P99_MS))
                .figure(
                        "lagMaxMsHalfLoad",
                        pct(half.lagsMs(), 100),
                        "ms",
                        "lag max at half load",
                        String.format(Locale.ROOT, "%.0f ms (full load)", pct(whole.lagsMs(), 100)))
                .figure("lagP50MsFullLoad", pct(whole.lagsMs(), 50), "ms", "lag p50 at full load")
                .figure("lagP99MsFullLoad", pct(whole.lagsMs(), 99), "ms", "lag p99 at full load")
                .figure("lagMaxMsFullLoad", pct(whole.lagsMs(), 100), "ms", "lag max at full load")
                .figure(
                        "loadAverageEnd",
                        BenchResult.loadAverage(),
                        "",
                        "one-minute load average at the end");
        List<SvgPlot.Series> cdf = new ArrayList<>();
        for (Level l : levels) {
            cdf.add(
                    new SvgPlot.Series(
                            l.name() + " load",
                            l.lagsMs().stream().map(v -> new double[] {v, 0}).toList()));
        }
        result.plot(
                "lag-cdf",
                "distribution of the lag at half and at full load",
                SvgPlot.cdf("Detection lag after event time passes the deadline", "lag (ms)", cdf));
        return result;
    }

    /** The window at the end of the warm-up that tells whether the load is sustained. */
    static Duration window(Options o) {
        Duration half = o.warmup().dividedBy(2);
        return half.compareTo(PROBE_WINDOW) < 0 ? half : PROBE_WINDOW;
    }

    /**
     * Runs the live runtime at {@code eventsPerS}: the warm-up, its last {@link #window} watched
     * ({@link Probe}), then the crashes, unless {@code probeOnly} and the load was not sustained
     * (then no crash: the level has no lags).
     */
    private static Level level(
            String name, double eventsPerS, boolean probeOnly, Options o, PrintStream console)
            throws Exception {
        int hosts = (int) Math.max(40, Math.round(eventsPerS / EVENTS_PER_HOST_S));
        double rate = hosts * EVENTS_PER_HOST_S;
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(hosts)
                        .clusters(Math.max(1, hosts / 1000))
                        .heartbeatInterval(Duration.ofSeconds(1))
                        .beatPhases(BEAT_PHASES)
                        .seed(7)
                        .build();
        Settings settings = Settings.DEFAULTS;
        double designLagMs = settings.maxClockSkewMs() + LiveOptions.APPEND_TIME_MARGIN.toMillis();
        int port = freePort();
        String what = String.format(Locale.ROOT, "detect: %s load, %,d hosts", name, hosts);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                BenchProgress p = new BenchProgress(console, what);
                GcPauses gc = GcPauses.watch()) {
            appendTime(kafka, Topics.INCIDENTS);
            try (LiveRuntime rt =
                    LiveRuntime.builder(fleet)
                            .kafka(kafka)
                            .parallelism(o.parallelism())
                            .flinkUiPort(port)
                            .flinkConfiguration(benchConfiguration())
                            .start()) {
                FlinkRest rest = new FlinkRest(port, rt.job().getJobID());
                long start = System.nanoTime();
                long catchUpFrom = start + o.warmup().minus(window(o)).toNanos();
                long catchUpUntil = catchUpFrom + CATCH_UP_MORE.toNanos();
                // the warm-up's start: the job reads the backlog of its start (the inventory, what
                // the fleet wrote meanwhile) and event time comes within reach of the wall clock
                Map<String, List<Double>> lags = new LinkedHashMap<>();
                List<Double> engine = new ArrayList<>();
                boolean fallingBehind = false;
                while (true) {
                    double lag =
                            sample(rest, lags)
                                    .getOrDefault(ENGINE_VERTEX, Double.POSITIVE_INFINITY);
                    engine.add(lag);
                    long now = System.nanoTime();
                    int tenSecondsAgo = engine.size() - 1 - (int) (10_000 / SAMPLE_MS);
                    if (now - start >= CATCH_UP_JUDGED_AFTER.toNanos()
                            && tenSecondsAgo >= 0
                            && fallingBehind(lag, engine.get(tenSecondsAgo), designLagMs)) {
                        fallingBehind = true;
                        break;
                    }
                    if ((now >= catchUpFrom && lag <= designLagMs + LAG_ABOVE_DESIGN_MS)
                            || now >= catchUpUntil) {
                        break;
                    }
                    p.show(
                            String.format(
                                    Locale.ROOT,
                                    "warming up, %,d records published, %,d read, the engines'"
                                            + " event time %.0f ms behind",
                                    rt.telemetry().published(),
                                    read(rest),
                                    lag));
                    Thread.sleep(SAMPLE_MS);
                }
                // the window: the fleet's rate and each vertex's event time behind the wall clock
                long published0 = rt.telemetry().published();
                long t0 = System.nanoTime();
                if (!fallingBehind) {
                    lags.clear();
                    engine.clear();
                    long until = t0 + window(o).toNanos();
                    while (System.nanoTime() < until) {
                        double lag =
                                sample(rest, lags)
                                        .getOrDefault(ENGINE_VERTEX, Double.POSITIVE_INFINITY);
                        engine.add(lag);
                        p.show(
                                String.format(
                                        Locale.ROOT,
                                        "watching event time: the engines' %.0f ms behind",
                                        lag));
                        Thread.sleep(SAMPLE_MS);
                    }
                }
                double publishedPerS =
                        fallingBehind
                                ? Double.NaN
                                : (rt.telemetry().published() - published0)
                                        / ((System.nanoTime() - t0) / 1e9);
                Map<String, Double> vertexLag = new LinkedHashMap<>();
                lags.forEach((k, v) -> vertexLag.put(k, mean(v)));
                Probe probe =
                        fallingBehind
                                ? new Probe(
                                        rate,
                                        Double.NaN,
                                        engine.get(engine.size() - 1 - (int) (10_000 / SAMPLE_MS)),
                                        engine.get(engine.size() - 1),
                                        vertexLag,
                                        false)
                                : probe(rate, publishedPerS, engine, vertexLag, designLagMs);
                p.clear();
                console.printf(
                        Locale.ROOT,
                        "detect: %s load, %,.0f events/s: published %,.0f/s; the engines' event"
                                + " time %.0f then %.0f ms behind the wall clock: %s%n"
                                + "  event time behind the wall clock, mean of the window, by"
                                + " vertex: %s%n",
                        name,
                        rate,
                        publishedPerS,
                        probe.lagEarlyMs(),
                        probe.lagLateMs(),
                        probe.sustained()
                                ? "sustained"
                                : fallingBehind ? "falling behind" : "not sustained",
                        vertexLag.entrySet().stream()
                                .map(
                                        e ->
                                                String.format(
                                                        Locale.ROOT,
                                                        "%s %.0f ms",
                                                        e.getKey(),
                                                        e.getValue()))
                                .toList());
                if (probeOnly && !probe.sustained()) {
                    stop(rt);
                    return new Level(name, hosts, rate, List.of(), 0, 0, probe);
                }
                // hosts with VMs, spread over the fleet: one crash each
                List<String> victims = new ArrayList<>();
                List<FleetHost> all = fleet.hosts();
                for (int i = 0; victims.size() < o.crashes() && i < all.size(); i++) {
                    FleetHost h = all.get((int) ((long) i * 7919 % all.size()));
                    if (!fleet.vmsOn(h.host()).isEmpty() && !victims.contains(h.host())) {
                        victims.add(h.host());
                    }
                }
                for (String h : victims) {
                    fleet.crash(h);
                    p.show("crashed " + h);
                    Thread.sleep(o.spacing().toMillis());
                }
                Set<String> named = new HashSet<>();
                Map<String, long[]> incidents = // incident id -> {ts, append time}
                        incidents(kafka, victims, named, Duration.ofSeconds(60), p);
                List<Double> lagsMs = new ArrayList<>();
                List<long[]> spans = new ArrayList<>(); // {passed, incident appended}
                for (Map.Entry<String, long[]> e : incidents.entrySet()) {
                    long deadline = e.getValue()[0];
                    Optional<Long> passed =
                            watermarkPassed(
                                    kafka,
                                    deadline
                                            + settings.maxClockSkewMs()
                                            + LiveOptions.APPEND_TIME_MARGIN.toMillis()
                                            + 1);
                    passed.ifPresent(
                            t -> {
                                lagsMs.add((double) (e.getValue()[1] - t));
                                spans.add(new long[] {t, e.getValue()[1]});
                            });
                }
                p.clear();
                console.println(tail(name, spans, checkpoints(rest), gc.pauses()));
                console.printf(
                        Locale.ROOT,
                        "detect: %s load (%,d hosts, about %,.0f events/s): %d incidents"
                                + " timed, of %d crashed hosts; lag p50 %.0f ms, p99 %.0f ms, max"
                                + " %.0f ms (load average %.2f)%n",
                        name,
                        hosts,
                        rate,
                        lagsMs.size(),
                        victims.size(),
                        pct(lagsMs, 50),
                        pct(lagsMs, 99),
                        pct(lagsMs, 100),
                        BenchResult.loadAverage());
                return new Level(name, hosts, rate, lagsMs, victims.size(), named.size(), probe);
            }
        }
    }

    /**
     * Cancels the job and waits until it has ended, before the broker stops: a job still ending
     * then waits a minute for its transactions to abort, beside the next load's run.
     */
    private static void stop(LiveRuntime rt) throws InterruptedException {
        try {
            rt.job().cancel().get();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!rt.job().getJobStatus().get().isGloballyTerminalState()
                    && System.nanoTime() < until) {
                Thread.sleep(100);
            }
        } catch (java.util.concurrent.ExecutionException | IllegalStateException e) {
            // ended: its local cluster shuts down with it and answers no more
        }
    }

    /**
     * Each vertex's event time behind the wall clock now, in ms (infinite while it has none), also
     * added to {@code lags}; empty if the REST API did not answer.
     */
    private static Map<String, Double> sample(FlinkRest rest, Map<String, List<Double>> lags) {
        Map<String, Long> wm;
        try {
            wm = rest.watermarks();
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
        long now = System.currentTimeMillis();
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : wm.entrySet()) {
            double lag =
                    e.getValue() == Long.MIN_VALUE
                            ? Double.POSITIVE_INFINITY
                            : (double) (now - e.getValue());
            out.put(e.getKey(), lag);
            lags.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(lag);
        }
        return out;
    }

    /** The mean; infinite of nothing (no event time seen). */
    static double mean(List<Double> values) {
        return values.stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(Double.POSITIVE_INFINITY);
    }

    /**
     * Checkpoints to files, as a deployed job's (the job manager's memory takes at most 5 MB a
     * state handle, less than one engine's state of 10,000 hosts), and the REST API's metrics fresh
     * enough to watch event time by.
     */
    private static org.apache.flink.configuration.Configuration benchConfiguration()
            throws IOException {
        Path dir = Files.createTempDirectory("vmres-bench-detect-checkpoints");
        dir.toFile().deleteOnExit();
        org.apache.flink.configuration.Configuration conf =
                new org.apache.flink.configuration.Configuration();
        conf.set(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.toUri().toString());
        // every checkpoint of the crashes' time, to tell which incidents one was under way for
        conf.set(org.apache.flink.configuration.WebOptions.CHECKPOINTS_HISTORY_SIZE, 500);
        // Flink settings to compare, as system properties vmres.bench.flink.KEY=VALUE
        Map<String, String> trial = new HashMap<>();
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith(FLINK_PROPERTY)) {
                trial.put(k.substring(FLINK_PROPERTY.length()), System.getProperty(k));
            }
        }
        conf.addAll(org.apache.flink.configuration.Configuration.fromMap(trial));
        // the REST API's metrics are 10 s old by default: too coarse to watch event time by
        conf.set(
                org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL,
                Duration.ofMillis(100));
        return conf;
    }

    /**
     * The job's checkpoints as {trigger, last acknowledgement} in epoch ms; empty if the REST API
     * did not answer.
     */
    private static List<long[]> checkpoints(FlinkRest rest) {
        List<long[]> out = new ArrayList<>();
        try {
            for (var c : rest.checkpoints().path("history")) {
                long trigger = c.path("trigger_timestamp").asLong();
                long ack = c.path("latest_ack_timestamp").asLong();
                if (trigger > 0 && ack >= trigger) {
                    out.add(new long[] {trigger, ack});
                }
            }
        } catch (IOException e) {
            // no figures of checkpoints: the tail is told without them
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    /**
     * What each incident's lag overlapped, from the pass of its deadline to its append (both the
     * broker's clock, the machine's): a checkpoint under way (its trigger to its last
     * acknowledgement) and the process's garbage collections (their pauses' ms), slowest first.
     */
    static String tail(String load, List<long[]> spans, List<long[]> checkpoints, List<long[]> gc) {
        List<long[]> bySlowest = new ArrayList<>(spans);
        bySlowest.sort((a, b) -> Long.compare(b[1] - b[0], a[1] - a[0]));
        List<String> each = new ArrayList<>();
        for (long[] s : bySlowest) {
            long under = 0;
            for (long[] c : checkpoints) {
                under += Math.max(0, Math.min(s[1], c[1]) - Math.max(s[0], c[0]));
            }
            long paused = 0;
            for (long[] g : gc) {
                paused += Math.max(0, Math.min(s[1], g[1]) - Math.max(s[0], g[0]));
            }
            each.add(
                    String.format(
                            Locale.ROOT,
                            "%d ms (checkpoint %d, gc %d)",
                            s[1] - s[0],
                            under,
                            paused));
        }
        return String.format(
                Locale.ROOT,
                "detect: %s load: each lag, slowest first, with the ms of it a checkpoint was under"
                        + " way and the ms of garbage collection in it: %s",
                load,
                String.join(", ", each));
    }

    private static long read(FlinkRest rest) {
        try {
            return rest.sourceRecordsOut("inputs").orElse(0L);
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The topic's records take the broker's append time, as the inputs do. */
    private static void appendTime(EmbeddedKafka kafka, String topic) throws Exception {
        try (Admin admin =
                Admin.create(KafkaEndpoint.of(kafka.bootstrapServers()).client(Map.of()))) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
            ops.put(
                    r,
                    List.of(
                            new AlterConfigOp(
                                    new ConfigEntry("message.timestamp.type", "LogAppendTime"),
                                    AlterConfigOp.OpType.SET)));
            admin.incrementalAlterConfigs(ops).all().get();
        }
    }

    /**
     * The first incident naming each of {@code hosts}, by incident id (an incident of several
     * crashed hosts is timed once): its ts and its append time.
     */
    private static Map<String, long[]> incidents(
            EmbeddedKafka kafka,
            List<String> hosts,
            Set<String> named,
            Duration timeout,
            BenchProgress p) {
        Map<String, long[]> found = new LinkedHashMap<>();
        AvroCodec codec = new AvroCodec();
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafka)) {
            List<TopicPartition> parts =
                    c.partitionsFor(Topics.INCIDENTS).stream()
                            .map(i -> new TopicPartition(i.topic(), i.partition()))
                            .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long until = System.nanoTime() + timeout.toNanos();
            while (named.size() < hosts.size() && System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        if (codec.decode(r.value()) instanceof Incident i) {
                            for (String host : i.getHosts()) {
                                if (hosts.contains(host) && named.add(host)) {
                                    found.putIfAbsent(
                                            i.getIncidentId(),
                                            new long[] {i.getTs().toEpochMilli(), r.timestamp()});
                                }
                            }
                        }
                    } catch (AvroCodec.BadRecordException e) {
                        // not the job's: nothing to time
                    }
                }
                p.show(
                        String.format(
                                Locale.ROOT,
                                "%d of %d crashed hosts in an incident",
                                named.size(),
                                hosts.size()));
            }
        }
        return found;
    }

    /**
     * When every heartbeat partition had carried a record appended at {@code appendTs} or later:
     * the latest over the partitions of the append time of the first such record; empty if one has
     * none yet.
     */
    private static Optional<Long> watermarkPassed(EmbeddedKafka kafka, long appendTs) {
        long latest = Long.MIN_VALUE;
        try (KafkaConsumer<byte[], byte[]> c = consumer(kafka)) {
            for (var info : c.partitionsFor(Topics.HEARTBEAT)) {
                TopicPartition tp = new TopicPartition(info.topic(), info.partition());
                OffsetAndTimestamp at = c.offsetsForTimes(Map.of(tp, appendTs)).get(tp);
                if (at == null) {
                    return Optional.empty();
                }
                latest = Math.max(latest, at.timestamp());
            }
        }
        return Optional.of(latest);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(EmbeddedKafka kafka) {
        return new KafkaConsumer<>(
                KafkaEndpoint.of(kafka.bootstrapServers())
                        .client(
                                Map.of(
                                        "isolation.level",
                                        "read_committed",
                                        "enable.auto.commit",
                                        false)),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    /** The {@code q}th percentile (nearest rank); NaN of nothing. */
    static double pct(List<Double> values, double q) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(values);
        s.sort(null);
        int rank = (int) Math.ceil(q / 100 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
