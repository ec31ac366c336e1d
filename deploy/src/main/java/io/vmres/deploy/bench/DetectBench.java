package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
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
    /** p99 of the lag at half load at most this. */
    public static final double TARGET_P99_MS = 100;

    /**
     * Events a host sends a second at a heartbeat interval of 1 s: 2 beats, a fifth of a power
     * reading.
     */
    static final double EVENTS_PER_HOST_S = 2.2;

    /**
     * Full load in events/s ({@code 0}: from {@code DIR/ingest.json}'s {@code liveEventsPerS}, else
     * {@link #FALLBACK_FULL_EVENTS_PER_S}), crashes per load, seconds between them, the warm-up.
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

    /** Used when neither an option nor an ingest run says what full load is. */
    static final double FALLBACK_FULL_EVENTS_PER_S = 20_000;

    /** One load's lags, in ms. */
    record Level(
            String name,
            int hosts,
            double eventsPerS,
            List<Double> lagsMs,
            int crashes,
            int crashesInIncidents) {}

    private DetectBench() {}

    public static BenchResult run(Options o, Path dir, String command, PrintStream console)
            throws Exception {
        BenchResult result = new BenchResult("detect", BenchResult.machineNow(), command);
        double full = o.fullEventsPerS();
        String fullFrom = "given with --full-rate";
        if (full <= 0) {
            Path ingest = dir.resolve("ingest.json");
            if (Files.exists(ingest)) {
                full =
                        new ObjectMapper()
                                .readTree(ingest.toFile())
                                .path("liveEventsPerS")
                                .asDouble();
                fullFrom = "the live job's rate in " + ingest.getFileName() + " (bench ingest)";
            }
            if (!(full > 0)) {
                full = FALLBACK_FULL_EVENTS_PER_S;
                fullFrom = "the default (no ingest.json in the folder)";
            }
        }
        console.printf(Locale.ROOT, "detect: full load %,.0f events/s, from %s%n", full, fullFrom);
        List<Level> levels = new ArrayList<>();
        levels.add(level("half", full / 2, o, console));
        levels.add(level("full", full, o, console));
        Level half = levels.get(0);
        Level whole = levels.get(1);
        result.describe(
                String.format(
                        Locale.ROOT,
                        "The live runtime (EmbeddedKafka with append time on its topics, the live"
                                + " job at parallelism %d, the connector, a simulated fleet"
                                + " beating every second) runs at half and at full load (full:"
                                + " %,.0f events/s, %s; a host sends about %.1f events/s). After"
                                + " %d s of warm-up, %d hosts crash %d s apart. Lag: the"
                                + " incident's append time less the time event time could pass its"
                                + " deadline (the incident's ts): the latest, over the heartbeat"
                                + " topic's partitions, append time of the first record appended"
                                + " after the deadline by maxClockSkew + appendTimeMargin (%d ms),"
                                + " each partition's watermark trailing its append time by that."
                                + " Both from the broker's LogAppendTime. The hosts beat at %d"
                                + " phases spread over the second.",
                        o.parallelism(),
                        full,
                        fullFrom,
                        EVENTS_PER_HOST_S,
                        o.warmup().toSeconds(),
                        o.crashes(),
                        o.spacing().toSeconds(),
                        Settings.DEFAULTS.maxClockSkewMs()
                                + LiveOptions.APPEND_TIME_MARGIN.toMillis(),
                        BEAT_PHASES));
        for (Level l : levels) {
            String p = l.name();
            result.figure(
                            "hosts" + cap(p) + "Load",
                            l.hosts(),
                            "",
                            "hosts beating at " + p + " load")
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

    private static Level level(String name, double eventsPerS, Options o, PrintStream console)
            throws Exception {
        int hosts = (int) Math.max(40, Math.round(eventsPerS / EVENTS_PER_HOST_S));
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(hosts)
                        .clusters(Math.max(1, hosts / 1000))
                        .heartbeatInterval(Duration.ofSeconds(1))
                        .beatPhases(BEAT_PHASES)
                        .seed(7)
                        .build();
        Settings settings = Settings.DEFAULTS;
        int port = freePort();
        String what = String.format(Locale.ROOT, "detect: %s load, %,d hosts", name, hosts);
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                BenchProgress p = new BenchProgress(console, what)) {
            appendTime(kafka, Topics.INCIDENTS);
            try (LiveRuntime rt =
                    LiveRuntime.builder(fleet)
                            .kafka(kafka)
                            .parallelism(o.parallelism())
                            .flinkUiPort(port)
                            .flinkConfiguration(checkpointsToFiles())
                            .start()) {
                FlinkRest rest = new FlinkRest(port, rt.job().getJobID());
                long until = System.nanoTime() + o.warmup().toNanos();
                while (System.nanoTime() < until) {
                    p.show(
                            String.format(
                                    Locale.ROOT,
                                    "warming up, %,d records published, %,d read",
                                    rt.telemetry().published(),
                                    read(rest)));
                    Thread.sleep(500);
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
                List<Double> lags = new ArrayList<>();
                for (Map.Entry<String, long[]> e : incidents.entrySet()) {
                    long deadline = e.getValue()[0];
                    Optional<Long> passed =
                            watermarkPassed(
                                    kafka,
                                    deadline
                                            + settings.maxClockSkewMs()
                                            + LiveOptions.APPEND_TIME_MARGIN.toMillis()
                                            + 1);
                    passed.ifPresent(t -> lags.add((double) (e.getValue()[1] - t)));
                }
                p.clear();
                console.printf(
                        Locale.ROOT,
                        "detect: %s load (%,d hosts, about %,.0f events/s): %d incidents"
                                + " timed, of %d crashed hosts; lag p50 %.0f ms, p99 %.0f ms, max %.0f ms (load average"
                                + " %.2f)%n",
                        name,
                        hosts,
                        hosts * EVENTS_PER_HOST_S,
                        lags.size(),
                        victims.size(),
                        pct(lags, 50),
                        pct(lags, 99),
                        pct(lags, 100),
                        BenchResult.loadAverage());
                return new Level(
                        name, hosts, hosts * EVENTS_PER_HOST_S, lags, victims.size(), named.size());
            }
        }
    }

    /**
     * Checkpoints to files, as a deployed job's: the job manager's memory takes at most 5 MB a
     * state handle, less than one engine's state of 10,000 hosts.
     */
    private static org.apache.flink.configuration.Configuration checkpointsToFiles()
            throws IOException {
        Path dir = Files.createTempDirectory("vmres-bench-detect-checkpoints");
        dir.toFile().deleteOnExit();
        org.apache.flink.configuration.Configuration conf =
                new org.apache.flink.configuration.Configuration();
        conf.set(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.toUri().toString());
        return conf;
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
