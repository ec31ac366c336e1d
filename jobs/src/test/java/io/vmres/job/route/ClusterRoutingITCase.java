package io.vmres.job.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.Emitted;
import io.vmres.job.Routed;
import io.vmres.schema.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keyed routing stages deliver exactly what {@link ClusterRouter} delivers for the whole fleet
 * in one place, at parallelism 1 and 4, on inputs full of what makes routing hard: hosts moving
 * between clusters with their VMs, VMs moving between hosts and clusters, removals, hosts no record
 * names, sim-faults and power-domain readings before clusters that appear later.
 */
// Flink's collect iterator declares close() throws Exception
@SuppressWarnings("try")
class ClusterRoutingITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    private static final long T0 = 1_772_359_200_000L;

    /** A seeded mix of inventory changes, telemetry and fleet-wide events, in (ts, seq) order. */
    static List<Event> input(long seed, int n) {
        Random r = new Random(seed);
        // apart, so that the seeds give the same events as without the notes
        Random skews = new Random(-seed);
        List<Event> out = new ArrayList<>();
        long ts = T0;
        for (int seq = 1; seq <= n; seq++) {
            if (r.nextInt(3) == 0) {
                ts += r.nextInt(4_000); // several events share an instant, some do not
            }
            String host = "h" + r.nextInt(10); // h8 and h9 rarely get a record
            String cluster = "c" + (seq < n / 3 ? r.nextInt(2) : r.nextInt(4));
            String vm = "vm" + r.nextInt(16);
            int kind = r.nextInt(100);
            Event e;
            if (kind < 15 && r.nextInt(10) < (host.compareTo("h8") < 0 ? 10 : 1)) {
                e =
                        new HostEvent(
                                ts,
                                seq,
                                host,
                                cluster,
                                64,
                                1024,
                                "r1",
                                "pd" + r.nextInt(3),
                                "kvm",
                                List.of("sd"),
                                false,
                                true);
            } else if (kind < 35) {
                e =
                        new VmEvent(
                                ts,
                                seq,
                                vm,
                                host,
                                1,
                                512,
                                500,
                                true,
                                "g",
                                "sd",
                                List.of("d"),
                                List.of());
            } else if (kind < 39) {
                e = new VmRemoved(ts, seq, vm);
            } else if (kind < 41) {
                e = new HostRemoved(ts, seq, host);
            } else if (kind < 46) {
                e = new SimFault(ts, seq, "RESTART_VM", 1, host, "h1", vm);
            } else if (kind < 52) {
                e = new PowerDomainReading(ts, seq, "pd" + r.nextInt(3), "on", "pdu");
            } else if (kind < 60) {
                e =
                        kind == 59 && skews.nextBoolean()
                                ? new OperatorConfirm(ts, seq, host, "op", "down")
                                : new Power(ts, seq, host, r.nextBoolean() ? "on" : "off");
            } else {
                e = new Heartbeat(ts, seq, host, r.nextBoolean() ? "mgmt" : "storage");
            }
            out.add(e);
            ClockSkew skew = ClockSkew.of(e, ts - 60_000);
            if (skew != null && skews.nextInt(5) == 0) {
                // a wrong clock's note, right after its event as the decoder puts it
                out.add(skew);
            }
        }
        return out;
    }

    /** What the one router delivers, each as "cluster event", then each key's end. */
    static List<String> expected(List<Event> input) {
        ClusterRouter router = new ClusterRouter();
        List<String> out = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (Event e : input) {
            for (ClusterRouter.Delivery d : router.route(e)) {
                keys.add(d.cluster());
                out.add(d.cluster() + " " + d.event());
            }
        }
        long last = input.get(input.size() - 1).ts();
        keys.forEach(k -> out.add(k + " END " + last));
        return out;
    }

    /**
     * What the live job delivers: the one router's deliveries but those to the unknown key, where
     * only operator confirmations go; the dead letters are the rest of those but VM records (kept
     * for their host's record) and wrong clocks' notes (they go with their event).
     */
    static List<String> expectedLive(List<Event> input, List<String> deadLetters) {
        ClusterRouter router = new ClusterRouter();
        List<String> out = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        for (Event e : input) {
            for (ClusterRouter.Delivery d : router.route(e)) {
                Event x = d.event();
                if (ClusterRouter.UNKNOWN.equals(d.cluster()) && !(x instanceof OperatorConfirm)) {
                    if (!(x instanceof VmEvent) && !(x instanceof ClockSkew)) {
                        deadLetters.add(x.toString());
                    }
                    continue;
                }
                keys.add(d.cluster());
                out.add(d.cluster() + " " + x);
            }
        }
        long last = input.get(input.size() - 1).ts();
        keys.forEach(k -> out.add(k + " END " + last));
        return out;
    }

    static List<String> routed(List<Event> input, int parallelism) throws Exception {
        return routed(input, parallelism, false);
    }

    /** The stages' deliveries, and with {@code live} their dead letters as "DEAD event". */
    static List<String> routed(List<Event> input, int parallelism, boolean live) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        List<Hop> hops = new ArrayList<>();
        input.forEach(e -> hops.add(Hop.event(e)));
        hops.add(Hop.end(input.get(input.size() - 1).ts()));
        DataStream<Hop> in =
                env.fromData(Hop.TYPE, hops.toArray(new Hop[0]))
                        .setParallelism(1)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Hop>forBoundedOutOfOrderness(
                                                Duration.ofSeconds(2))
                                        .withTimestampAssigner((h, ignored) -> h.ts()))
                        .setParallelism(1);
        ClusterRouting.Routes routes = ClusterRouting.route(in, live);
        DataStream<String> lines =
                routes.routed()
                        .map(
                                r ->
                                        r.isEnd()
                                                ? r.cluster() + " END " + r.endTs()
                                                : r.cluster() + " " + r.event())
                        .union(
                                routes.deadLetters()
                                        .map(ClusterRoutingITCase::deadLetterLine)
                                        .returns(String.class));
        List<String> out = new ArrayList<>();
        try (var it = lines.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void keyedStagesDeliverWhatTheOneRouterDelivers(long seed) throws Exception {
        List<Event> input = input(seed, 600);
        List<String> expected = expected(input);
        // the input exercises every rule: moves, VMs following, catch-up, the unknown key
        assertThat(expected).anyMatch(s -> s.startsWith(" "));
        assertThat(expected).anyMatch(s -> s.contains("SimFault") && s.startsWith("c3"));
        for (int p : new int[] {1, 4}) {
            assertThat(routed(input, p))
                    .as("parallelism %d", p)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    /**
     * The input with each instant's host records first, numbered again in that order: the live
     * routing applies a host's records first among its input of one instant (seqs are offsets of
     * different partitions there), the one router in seq order.
     */
    private static List<Event> hostRecordsFirst(List<Event> input) {
        List<Event> sorted = new ArrayList<>(input);
        sorted.sort(
                java.util.Comparator.comparingLong(Event::ts)
                        .thenComparing(e -> !(e instanceof HostEvent)));
        List<Event> out = new ArrayList<>();
        for (Event e : sorted) {
            out.add(io.vmres.engine.event.Events.at(e, e.ts(), out.size() + 1));
        }
        return out;
    }

    private static String deadLetterLine(Emitted e) {
        DeadLetter d = (DeadLetter) e.line();
        // the events here are far shorter than the raw prefix a dead letter keeps
        return "DEAD "
                + new String(
                        java.util.Base64.getDecoder().decode(d.getRaw()),
                        java.nio.charset.StandardCharsets.UTF_8)
                + " "
                + d.getReason();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theLiveJobRoutesNothingOfHostsInNoClusterButConfirmations(long seed) throws Exception {
        List<Event> input = hostRecordsFirst(input(seed, 600));
        List<String> dead = new ArrayList<>();
        List<String> expected = expectedLive(input, dead);
        assertThat(dead).as("the input has telemetry of hosts in no cluster").isNotEmpty();
        assertThat(input).anyMatch(e -> e instanceof ClockSkew);
        expected.addAll(
                dead.stream()
                        .map(x -> "DEAD " + x + " unknown host or VM, in no cluster: not kept")
                        .toList());
        for (int p : new int[] {1, 4}) {
            assertThat(routed(input, p, true))
                    .as("parallelism %d", p)
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void aClusterSeenLaterGetsEarlierSimFaultsAndTheLatestDomainReadingsMarkedEarlier()
            throws Exception {
        List<Event> input =
                List.of(
                        new HostEvent(
                                T0,
                                1,
                                "h1",
                                "c1",
                                64,
                                1024,
                                "r1",
                                "pd1",
                                "kvm",
                                List.of("sd"),
                                false,
                                true),
                        new SimFault(T0 + 1_000, 2, "RESTART_VM", 1, null, null, null),
                        new PowerDomainReading(T0 + 2_000, 3, "pd1", "off", "pdu"),
                        new PowerDomainReading(T0 + 3_000, 4, "pd1", "on", "pdu"),
                        new HostEvent(
                                T0 + 60_000,
                                5,
                                "h2",
                                "c2",
                                64,
                                1024,
                                "r1",
                                "pd1",
                                "kvm",
                                List.of("sd"),
                                false,
                                true));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(4);
        List<Hop> hops = new ArrayList<>();
        input.forEach(e -> hops.add(Hop.event(e)));
        DataStream<Hop> in =
                env.fromData(Hop.TYPE, hops.toArray(new Hop[0]))
                        .setParallelism(1)
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Hop>forMonotonousTimestamps()
                                        .withTimestampAssigner((h, ignored) -> h.ts()))
                        .setParallelism(1);
        List<Routed> toC2 = new ArrayList<>();
        try (var it = ClusterRouting.route(in).executeAndCollect()) {
            it.forEachRemaining(
                    r -> {
                        if (r.cluster().equals("c2")) {
                            toC2.add(r);
                        }
                    });
        }
        assertThat(toC2)
                .extracting(r -> r.event().seq() + (r.earlier() ? " earlier" : ""))
                .containsExactlyInAnyOrder("2 earlier", "4 earlier", "5");
    }
}
