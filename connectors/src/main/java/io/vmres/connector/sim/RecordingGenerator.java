package io.vmres.connector.sim;

import io.vmres.schema.Channel;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.recording.RecordingWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a recording of a simulated fleet's telemetry, with host crashes spread over it: input for
 * {@code vmres replay}, its tests and benchmarks. The same options and seed give the same bytes.
 *
 * <pre>{@code
 * RecordingGenerator.Result r =
 *     RecordingGenerator.write(Path.of("fleet.jsonl.gz"), RecordingGenerator.Options.defaults());
 * }</pre>
 */
public final class RecordingGenerator {
    /**
     * Where every generated recording starts: a fixed instant, so that bytes depend on the seed
     * only.
     */
    public static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POWER_EVERY = Duration.ofSeconds(60);
    private static final Duration HEALTH_EVERY = Duration.ofMinutes(5);
    private static final int JITTER_MS = 12;
    // Below the default outOfOrderness (2 s) with room to spare: a delayed line is never late.
    private static final int MAX_DELAY_MS = 900;
    private static final double DELAYED_SHARE = 0.002;
    // A crashed host's BMC answers "off" this often; otherwise it stops answering and the job
    // fences.
    private static final double POWER_OFF_SHARE = 0.75;

    /** What to generate. */
    public record Options(
            int hosts,
            int vmsPerHost,
            Duration duration,
            int clusters,
            int failures,
            long seed,
            Duration heartbeatInterval,
            boolean rackPowerLoss) {
        public Options {
            if (hosts < 1 || vmsPerHost < 0 || clusters < 1 || failures < 0) {
                throw new IllegalArgumentException(
                        "hosts and clusters must be at least 1, vmsPerHost and failures at least 0");
            }
            if (clusters > hosts) {
                throw new IllegalArgumentException("more clusters (" + clusters + ") than hosts");
            }
            Objects.requireNonNull(duration, "duration");
            Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
            if (duration.toMillis() <= 0 || heartbeatInterval.toMillis() <= 0) {
                throw new IllegalArgumentException(
                        "duration and heartbeat interval must be positive");
            }
        }

        /** 400 hosts of 10 VMs in 4 clusters, one hour, 10 crashes, heartbeats every 5 s. */
        public static Options defaults() {
            return new Options(
                    400, 10, Duration.ofHours(1), 4, 10, 1, Duration.ofSeconds(5), false);
        }

        /** Heartbeat silence after which the job counts a channel as lost in this recording. */
        Duration heartbeatTimeout() {
            Duration twice = heartbeatInterval.multipliedBy(2);
            return twice.compareTo(DEFAULT_TIMEOUT) > 0 ? twice : DEFAULT_TIMEOUT;
        }
    }

    /**
     * A host that stops: its last heartbeat is before {@code at}; with {@code powerOff} its BMC
     * reads {@code off} from {@code offAt} on, else it says nothing more.
     */
    public record Crash(String host, String rack, Instant at, boolean powerOff, Instant offAt) {}

    /** What was written: events (lines but the meta), fleet size and the crashes in time order. */
    public record Result(long events, int hosts, int vms, List<Crash> crashes) {}

    private final Options o;
    private final Random random;
    private final List<FleetHost> hosts;
    private final List<FleetVm> vms;

    private RecordingGenerator(Options o) {
        this.o = o;
        int perCluster = o.hosts() / o.clusters();
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(o.hosts())
                        .vmsPerHost(o.vmsPerHost())
                        .clusters(o.clusters())
                        .hostsPerRack(hostsPerRack(perCluster))
                        .racksPerPowerDomain(racksPerPowerDomain(perCluster))
                        // A small cluster keeps most of its hosts for VMs.
                        .sparesPerCluster(perCluster >= 10 ? 2 : perCluster >= 3 ? 1 : 0)
                        .seed(o.seed())
                        .build();
        this.hosts = fleet.hosts();
        this.vms = fleet.vms();
        this.random = new Random(o.seed() ^ 0x6E4E_7A70L);
    }

    /**
     * Racks of 10 hosts, smaller in a cluster of fewer than 40 so that it still has four racks: a
     * rack's power loss then leaves most of its cluster to take the rack's VMs.
     */
    static int hostsPerRack(int perCluster) {
        return Math.max(1, Math.min(10, (perCluster + 3) / 4));
    }

    /**
     * Two racks a power domain where a cluster has six racks or more, else one: every cluster has
     * several power domains, and a failed domain never takes every target of its cluster.
     */
    static int racksPerPowerDomain(int perCluster) {
        int racks = (perCluster + hostsPerRack(perCluster) - 1) / hostsPerRack(perCluster);
        return racks >= 6 ? 2 : 1;
    }

    /** Writes the recording to {@code file}, gzip-compressed when its name ends in {@code .gz}. */
    public static Result write(Path file, Options options) throws IOException {
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                OutputStream bytes = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw) {
            return write(bytes, options);
        }
    }

    /** Writes the recording to {@code out} as UTF-8 JSON Lines; does not close it. */
    public static Result write(OutputStream out, Options options) throws IOException {
        RecordingGenerator g = new RecordingGenerator(options);
        RecordingWriter w = new RecordingWriter(out);
        Result r = g.writeAll(w);
        w.flush();
        return r;
    }

    private Result writeAll(RecordingWriter out) throws IOException {
        List<Crash> crashes = planCrashes();
        Map<String, Crash> crashOf = new HashMap<>();
        crashes.forEach(c -> crashOf.put(c.host(), c));
        long events = 0;

        writeMeta(out);
        long t0 = START.toEpochMilli();
        for (FleetHost h : hosts) {
            writeHost(out, h, t0);
            events++;
        }
        for (FleetVm v : vms) {
            writeVm(out, v, t0);
            events++;
        }

        long interval = o.heartbeatInterval().toMillis();
        long end = t0 + o.duration().toMillis();
        long powerEvery = Math.max(1, POWER_EVERY.toMillis() / interval);
        long healthEvery = Math.max(1, HEALTH_EVERY.toMillis() / interval);
        int n = hosts.size();
        long[] phase = new long[n];
        long[] powerPhase = new long[n];
        long[] healthPhase = new long[n];
        // Per host: spread over the interval, so that a fleet does not beat in one burst.
        for (int i = 0; i < n; i++) {
            phase[i] = (long) (random.nextDouble() * interval);
            powerPhase[i] = random.nextInt((int) powerEvery);
            healthPhase[i] = random.nextInt((int) healthEvery);
        }
        // Lines wait here until no later-generated line can arrive before them: ordered by arrival.
        PriorityQueue<Line> pending =
                new PriorityQueue<>(
                        Comparator.comparingLong(Line::arrival).thenComparingLong(Line::seq));
        long seq = 0;
        for (long k = 0; ; k++) {
            long tick = t0 + k * interval;
            if (tick >= end) {
                break;
            }
            while (!pending.isEmpty() && pending.peek().arrival() < tick) {
                events += pending.poll().write(out);
            }
            for (int i = 0; i < n; i++) {
                FleetHost h = hosts.get(i);
                Crash crash = crashOf.get(h.host());
                long base = tick + phase[i];
                for (String channel : new String[] {"mgmt", "storage"}) {
                    long ts = base + random.nextInt(JITTER_MS + 1);
                    if (alive(crash, ts) && ts < end) {
                        pending.add(Line.heartbeat(arrival(ts), seq++, ts, h.host(), channel));
                    }
                }
                if (k % powerEvery == powerPhase[i] && h.bmc()) {
                    long ts = base + 200 + random.nextInt(600);
                    String state = alive(crash, ts) ? "on" : poweredOff(crash, ts) ? "off" : null;
                    if (state != null && ts < end) {
                        pending.add(Line.power(arrival(ts), seq++, ts, h.host(), state));
                    }
                }
                if (k % healthEvery == healthPhase[i]) {
                    long ts = base + 400 + random.nextInt(400);
                    if (alive(crash, ts) && ts < end) {
                        pending.add(
                                Line.health(
                                        arrival(ts),
                                        seq++,
                                        ts,
                                        h.host(),
                                        "cpu_temp_c",
                                        45 + random.nextInt(30)));
                        pending.add(
                                Line.health(
                                        arrival(ts),
                                        seq++,
                                        ts,
                                        h.host(),
                                        "inlet_temp_c",
                                        18 + random.nextInt(9)));
                        // Rare, isolated correctable errors: far below any prediction threshold.
                        int ecc = random.nextDouble() < 0.02 ? 1 + random.nextInt(2) : 0;
                        pending.add(
                                Line.health(
                                        arrival(ts), seq++, ts, h.host(), "ecc_correctable", ecc));
                    }
                }
            }
            // The first "off" of a crashed host, a few seconds after its last heartbeat.
            for (Crash c : crashes) {
                long off = c.offAt() == null ? -1 : c.offAt().toEpochMilli();
                if (c.powerOff() && off >= tick && off < tick + interval && off < end) {
                    pending.add(Line.power(arrival(off), seq++, off, c.host(), "off"));
                }
            }
        }
        while (!pending.isEmpty()) {
            events += pending.poll().write(out);
        }
        return new Result(events, hosts.size(), vms.size(), crashes);
    }

    private long arrival(long ts) {
        return random.nextDouble() < DELAYED_SHARE ? ts + 1 + random.nextInt(MAX_DELAY_MS) : ts;
    }

    private static boolean alive(Crash crash, long ts) {
        return crash == null || ts < crash.at().toEpochMilli();
    }

    private static boolean poweredOff(Crash crash, long ts) {
        return crash.powerOff() && ts >= crash.offAt().toEpochMilli();
    }

    /**
     * Crashes at random times, one in each equal slot of the window where a crash can still be
     * classified before the end (its channel losses must fall within the recording), on distinct
     * hosts that hold VMs; plus, optionally, a whole rack at once.
     */
    private List<Crash> planCrashes() {
        long t0 = START.toEpochMilli();
        // Not in the first minute (or tenth of a short recording): the fleet settles in first.
        long settle = Math.min(60_000, o.duration().toMillis() / 10);
        long from = t0 + settle + 2 * o.heartbeatInterval().toMillis() + 1_000;
        long to = t0 + o.duration().toMillis() - o.heartbeatTimeout().toMillis() - 20_000;
        int wanted = o.failures() + (o.rackPowerLoss() ? 1 : 0);
        if (wanted > 0 && to <= from) {
            throw new IllegalArgumentException(
                    "the duration is too short for crashes: each needs "
                            + o.heartbeatTimeout().plusSeconds(20).toSeconds()
                            + " s before the end");
        }
        List<Crash> out = new ArrayList<>();
        Set<String> lostRack = new HashSet<>();
        if (o.rackPowerLoss()) {
            Map<String, List<FleetHost>> racks = new LinkedHashMap<>();
            hosts.forEach(h -> racks.computeIfAbsent(h.rack(), r -> new ArrayList<>()).add(h));
            List<String> names = new ArrayList<>(racks.keySet());
            String rack = names.get(random.nextInt(names.size()));
            long at = from + (long) (random.nextDouble() * (to - from));
            long off = at + 2_000 + random.nextInt(4_000);
            for (FleetHost h : racks.get(rack)) {
                out.add(
                        new Crash(
                                h.host(),
                                rack,
                                Instant.ofEpochMilli(at),
                                true,
                                Instant.ofEpochMilli(off)));
                lostRack.add(h.host());
            }
        }
        Set<String> withVms = new HashSet<>();
        vms.forEach(v -> withVms.add(v.host()));
        List<FleetHost> candidates = new ArrayList<>();
        for (FleetHost h : hosts) {
            if (!h.spare() && withVms.contains(h.host()) && !lostRack.contains(h.host())) {
                candidates.add(h);
            }
        }
        if (o.failures() > candidates.size()) {
            throw new IllegalArgumentException(
                    o.failures() + " failures, but only " + candidates.size() + " hosts hold VMs");
        }
        Collections.shuffle(candidates, random);
        double slot = (double) (to - from) / Math.max(1, o.failures());
        for (int i = 0; i < o.failures(); i++) {
            FleetHost h = candidates.get(i);
            long at = from + (long) (slot * i + random.nextDouble() * slot * 0.8);
            boolean powerOff = h.bmc() && random.nextDouble() < POWER_OFF_SHARE;
            long off = at + 2_000 + random.nextInt(4_000);
            out.add(
                    new Crash(
                            h.host(),
                            h.rack(),
                            Instant.ofEpochMilli(at),
                            powerOff,
                            powerOff ? Instant.ofEpochMilli(off) : null));
        }
        out.sort(Comparator.comparing(Crash::at).thenComparing(Crash::host));
        return List.copyOf(out);
    }

    private void writeMeta(RecordingWriter out) throws IOException {
        String name =
                "generated-"
                        + o.hosts()
                        + "-hosts-"
                        + o.duration().toString().toLowerCase(Locale.ROOT).substring(2)
                        + "-seed-"
                        + o.seed();
        String description =
                String.format(
                        Locale.ROOT,
                        "vmres generate: %d hosts, %d VMs in %d clusters, %s, %d crashes%s, heartbeats every"
                                + " %s",
                        hosts.size(),
                        vms.size(),
                        o.clusters(),
                        o.duration(),
                        o.failures(),
                        o.rackPowerLoss() ? " and a rack power loss" : "",
                        o.heartbeatInterval());
        // Slow heartbeats need a longer timeout, or every host would look silent between two.
        Map<String, String> config =
                o.heartbeatTimeout().equals(DEFAULT_TIMEOUT)
                        ? Map.of()
                        : Map.of("heartbeatTimeout", o.heartbeatTimeout().toString());
        out.meta(name, description, config);
    }

    private static void writeHost(RecordingWriter out, FleetHost h, long ts) throws IOException {
        out.event(h.toAvro(Instant.ofEpochMilli(ts)));
    }

    private static void writeVm(RecordingWriter out, FleetVm v, long ts) throws IOException {
        out.event(v.toAvro(Instant.ofEpochMilli(ts)));
    }

    /** A telemetry line waiting for its turn: {@code arrival} is its place in the file. */
    private record Line(
            long arrival, long seq, long ts, String type, String host, String text, int value) {
        static Line heartbeat(long arrival, long seq, long ts, String host, String channel) {
            return new Line(arrival, seq, ts, "heartbeat", host, channel, 0);
        }

        static Line power(long arrival, long seq, long ts, String host, String state) {
            return new Line(arrival, seq, ts, "power", host, state, 0);
        }

        static Line health(long arrival, long seq, long ts, String host, String sensor, int value) {
            return new Line(arrival, seq, ts, "health", host, sensor, value);
        }

        int write(RecordingWriter out) throws IOException {
            Instant at = Instant.ofEpochMilli(ts);
            out.event(
                    switch (type) {
                        case "heartbeat" -> new Heartbeat(host, Channel.valueOf(text), at);
                        case "power" -> new Power(host, PowerState.valueOf(text), at);
                        case "health" -> new Health(host, text, (double) value, null, at);
                        default -> throw new IllegalStateException("no line of type " + type);
                    });
            return 1;
        }
    }
}
