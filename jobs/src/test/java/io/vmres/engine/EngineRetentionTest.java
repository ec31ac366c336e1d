package io.vmres.engine;

import static io.vmres.engine.EngineFixture.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.engine.event.Event;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.engine.recording.ReplayOutputs;
import io.vmres.job.types.EngineStateSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The live engine's retention of ended incidents: it bounds the state and changes no decision. A
 * short retention (one minute) prunes as much as it can.
 */
class EngineRetentionTest {
    private static final long RETENTION_MS = 60_000;
    private static final int HOSTS = 10;
    private static final int FAILURES = 200;

    /** Seconds between the starts of two failures; each host is silent 90 s of its turn. */
    private static final double CYCLE = 150;

    static Stream<Path> recordings() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("src", "test", "resources", "recordings"))) {
            s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().forEach(all::add);
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("recordings")
    void pruningChangesNoDecisionLineOfARecording(Path recording, @TempDir Path tmp)
            throws IOException {
        List<ClusterEngine> pruning = new ArrayList<>();
        LocalReplay.run(recording, tmp.resolve("kept"), Map.of());
        LocalReplay.run(
                recording,
                tmp.resolve("pruned"),
                Map.of(),
                (cluster, settings) -> {
                    ClusterEngine e =
                            new ClusterEngine(
                                    cluster, settings, sim().retainingEnded(RETENTION_MS));
                    pruning.add(e);
                    return e;
                });
        for (String file : ReplayOutputs.FILES) {
            if (file.equals("summary.json")) {
                continue; // the figures of the incidents pruned are gone: the live job has no
                // summary
            }
            assertThat(tmp.resolve("pruned").resolve(file))
                    .as(file)
                    .hasSameTextualContentAs(tmp.resolve("kept").resolve(file));
        }
        if (recording.getFileName().toString().equals("fleet-hour.jsonl")) {
            int opened =
                    Files.readAllLines(tmp.resolve("kept").resolve("incidents.jsonl")).stream()
                            .map(l -> l.replaceAll(".*\"incidentId\":\"([^\"]+)\".*", "$1"))
                            .distinct()
                            .toList()
                            .size();
            int held = pruning.stream().mapToInt(ClusterEngine::incidentsHeld).sum();
            assertThat(held).as("incidents held of %d opened", opened).isLessThan(opened);
        }
    }

    @Test
    void manyFailuresOneAfterAnotherDecideTheSameWithPruning() {
        EngineFixture kept = failures(new ClusterEngine("c1", Settings.DEFAULTS, sim())).run();
        EngineFixture pruned = failures(pruningEngine()).run();

        assertThat(kept.incidents("HOST_FAILURE")).hasSizeGreaterThan(FAILURES);
        assertThat(kept.commands).hasSizeGreaterThan(FAILURES);
        assertThat(pruned.commands).isEqualTo(kept.commands);
        assertThat(pruned.results).isEqualTo(kept.results);
        assertThat(pruned.incidents).isEqualTo(kept.incidents);
        assertThat(pruned.alerts).isEqualTo(kept.alerts);
        assertThat(pruned.admissions).isEqualTo(kept.admissions);
        assertThat(pruned.hostStates).isEqualTo(kept.hostStates);
    }

    @Test
    void manyFailuresOneAfterAnotherHoldFewIncidents() {
        EngineFixture kept = failures(new ClusterEngine("c1", Settings.DEFAULTS, sim())).run();
        EngineFixture pruned = failures(pruningEngine()).run();

        assertThat(kept.incidents.stream().filter(x -> x.state().equals("CLOSED")).count())
                .isEqualTo(FAILURES);
        assertThat(kept.engine.incidentsHeld()).isEqualTo(FAILURES);
        assertThat(kept.engine.commandsHeld()).isEqualTo(kept.commands.size());
        assertThat(pruned.engine.incidentsHeld()).isLessThanOrEqualTo(2);
        assertThat(pruned.engine.commandsHeld()).isLessThanOrEqualTo(2 * 3);
        assertThat(pruned.engine.workHeld()).isLessThanOrEqualTo(2 * 2);
        assertThat(pruned.engine.figures()).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void aPrunedEngineRestoredFromACheckpointDecidesTheSame() throws IOException {
        EngineFixture whole = failures(new ClusterEngine("c1", Settings.DEFAULTS, sim())).run();

        EngineFixture events = failures(pruningEngine());
        events.events.sort(Comparator.comparingLong(Event::ts).thenComparingLong(Event::seq));
        long middle = at(CYCLE * FAILURES / 2 + 40); // a failure under way
        EngineFixture first = new EngineFixture(events.engine);
        EngineFixture second = new EngineFixture((ClusterEngine) null);
        Stepper stepper = new Stepper(events.events);
        stepper.runBefore(events.engine, middle, first);
        int heldBefore = events.engine.incidentsHeld();

        ClusterEngine restored = roundTrip(events.engine);
        assertThat(restored.incidentsHeld()).isEqualTo(heldBefore).isBetween(1, 2);
        stepper.runBefore(restored, Long.MAX_VALUE, second);
        stepper.finish(restored, first, second);

        assertThat(concat(first.commands, second.commands)).isEqualTo(whole.commands);
        assertThat(concat(first.results, second.results)).isEqualTo(whole.results);
        assertThat(concat(first.incidents, second.incidents)).isEqualTo(whole.incidents);
        assertThat(concat(first.alerts, second.alerts)).isEqualTo(whole.alerts);
        assertThat(restored.incidentsHeld()).isLessThanOrEqualTo(2);
    }

    @Test
    void aRecoveredFailureWaitsForItsHostEvenWhenTheHostIsAway() {
        EngineFixture kept = movedAway(new ClusterEngine("c1", Settings.DEFAULTS, sim())).run();
        EngineFixture pruned = movedAway(pruningEngine()).run();

        // the failure recovered long before its host came back and was removed: CLOSED only then
        assertThat(kept.incidents("HOST_FAILURE"))
                .extracting(x -> x.state())
                .containsExactly("OPEN", "RECOVERING", "RECOVERED", "CLOSED");
        assertThat(kept.incidents.get(kept.incidents.size() - 1).ts()).isEqualTo(at(500));
        assertThat(pruned.incidents).isEqualTo(kept.incidents);
        assertThat(pruned.commands).isEqualTo(kept.commands);
        assertThat(pruned.engine.incidentsHeld()).isZero(); // CLOSED at 500, dropped a minute later
    }

    @Test
    void aClosedDrainIsKeptWhileItsMigrationsAreInFlight() {
        EngineFixture kept = endedDrain(new ClusterEngine("c1", Settings.DEFAULTS, sim())).run();
        ClusterEngine pruning = new ClusterEngine("c1", Settings.DEFAULTS, sim().retainingEnded(0));
        EngineFixture pruned = endedDrain(pruning).run();

        // the drain ends at 52 s with its three migrations under way; they are answered at 70 s
        assertThat(kept.incidents("MAINTENANCE"))
                .extracting(x -> x.state())
                .last()
                .isEqualTo("CLOSED");
        assertThat(kept.commands("LIVE_MIGRATE_VM")).hasSize(3);
        assertThat(kept.results).extracting(r -> r.ts()).containsOnly(at(70));
        assertThat(pruned.results).isEqualTo(kept.results);
        assertThat(pruned.incidents).isEqualTo(kept.incidents);
        assertThat(pruned.engine.incidentsHeld()).isZero();
    }

    private static EngineFixture endedDrain(ClusterEngine engine) {
        EngineFixture f = new EngineFixture(engine);
        for (int i = 1; i <= 4; i++) {
            f.host("h" + i, "r" + i).beats("h" + i, 0, 200, 5);
        }
        for (int v = 1; v <= 3; v++) {
            f.vm("v" + v, "h1", 100 + v, null, List.of());
        }
        return f.maintenance(50, "h1").maintenanceEnd(52, "h1");
    }

    /** Seeds of {@link #mixed}, each with a one-minute retention and with none at all. */
    static Stream<Arguments> mixedRuns() {
        return Stream.of(1L, 2L, 3L, 4L, 5L, 6L)
                .flatMap(
                        seed ->
                                Stream.of(
                                        Arguments.of(seed, RETENTION_MS), Arguments.of(seed, 0L)));
    }

    @ParameterizedTest
    @MethodSource("mixedRuns")
    void aMixedGeneratedFleetDecidesTheSameWithPruning(long seed, long retentionMs) {
        EngineFixture kept = mixed(new ClusterEngine("c1", Settings.DEFAULTS, sim()), seed).run();
        ClusterEngine pruning =
                new ClusterEngine("c1", Settings.DEFAULTS, sim().retainingEnded(retentionMs));
        EngineFixture pruned = mixed(pruning, seed).run();

        assertThat(kept.incidents.stream().map(x -> x.incidentId()).distinct().count())
                .isGreaterThan(20);
        assertThat(pruned.engine.incidentsHeld()).isLessThan(kept.engine.incidentsHeld());
        assertThat(pruned.commands).isEqualTo(kept.commands);
        assertThat(pruned.results).isEqualTo(kept.results);
        assertThat(pruned.incidents).isEqualTo(kept.incidents);
        assertThat(pruned.alerts).isEqualTo(kept.alerts);
        assertThat(pruned.admissions).isEqualTo(kept.admissions);
        assertThat(pruned.hostStates).isEqualTo(kept.hostStates);
    }

    @Test
    void aNegativeRetentionIsRefused() {
        EngineOptions options = sim();
        assertThatThrownBy(() -> options.retainingEnded(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static EngineOptions sim() {
        return EngineOptions.simulated();
    }

    private static ClusterEngine pruningEngine() {
        return new ClusterEngine("c1", Settings.DEFAULTS, sim().retainingEnded(RETENTION_MS));
    }

    /**
     * {@value #FAILURES} single-host failures one after another, host by host in turn: each host
     * falls silent for 90 s, its VM is fenced, mapped and restarted elsewhere (RECOVERED), then it
     * beats again and rejoins (CLOSED).
     */
    private static EngineFixture failures(ClusterEngine engine) {
        EngineFixture f = new EngineFixture(engine);
        for (int i = 0; i < HOSTS; i++) {
            f.host(host(i), "r" + i);
        }
        for (int i = 0; i < HOSTS; i++) {
            f.vm("v" + i, host(i), 100 + i, null, List.of());
        }
        double end = CYCLE * FAILURES + 60;
        for (int i = 0; i < HOSTS; i++) {
            double from = 0;
            for (int k = i; k < FAILURES; k += HOSTS) {
                double silent = CYCLE * k + 10;
                f.beats(host(i), from, silent - 5, 5);
                from = silent + 90;
            }
            f.beats(host(i), from, end, 5);
        }
        return f;
    }

    /** h1 fails and its VM is restarted elsewhere; then h1 moves to c2, comes back, is removed. */
    private static EngineFixture movedAway(ClusterEngine engine) {
        EngineFixture f = new EngineFixture(engine);
        for (int i = 1; i <= 4; i++) {
            f.host("h" + i, "r" + i);
        }
        f.vm("v1", "h1", 500, null, List.of());
        f.beats("h1", 0, 30, 5);
        for (int i = 2; i <= 4; i++) {
            f.beats("h" + i, 0, 600, 5);
        }
        f.events.add(moved(200, "c2", 1_000_000));
        f.events.add(moved(400, "c1", 1_000_001));
        f.events.add(new HostRemoved(at(500), 1_000_002, "h1"));
        return f;
    }

    /**
     * Three hours of a fleet of 12 hosts (two per rack, two without BMC) and 24 VMs, some depending
     * on others. In each 5-minute turn a host may fall silent (its power read off or not, confirmed
     * or not), lose its management channel only, go into maintenance, run hot, be removed and come
     * back, or move to another cluster and back; a VM may be removed and come back.
     */
    private static EngineFixture mixed(ClusterEngine engine, long seed) {
        Random rnd = new Random(seed);
        EngineFixture f = new EngineFixture(engine);
        long seq = 10_000_000;
        int hosts = 12;
        for (int i = 0; i < hosts; i++) {
            f.host(host(i), "r" + i / 2, i < hosts - 2, i == 0, 64);
        }
        for (int v = 0; v < 24; v++) {
            List<String> deps = v % 5 == 4 ? List.of(String.format("v%02d", v - 1)) : List.of();
            f.vm(String.format("v%02d", v), host(v % hosts), 100 + v, v % 7 != 6, null, deps, 4);
        }
        double cycle = 300;
        int turns = 36;
        double end = cycle * turns;
        for (int i = 0; i < hosts; i++) {
            String h = host(i);
            double mgmtFrom = 0;
            double storageFrom = 0;
            for (int c = 0; c < turns; c++) {
                double start = c * cycle + rnd.nextInt(100);
                double x = rnd.nextDouble();
                if (x < 0.15) {
                    double gap = 40 + rnd.nextInt(90);
                    f.beats(h, mgmtFrom, start - 5, 5, "mgmt");
                    f.beats(h, storageFrom, start - 5, 5, "storage");
                    mgmtFrom = storageFrom = start + gap;
                    if (rnd.nextBoolean()) {
                        f.power(start + 3, h, "off");
                        f.power(start + gap, h, "on");
                    }
                    if (i >= hosts - 2 && rnd.nextBoolean()) {
                        f.confirm(start + 30 + rnd.nextInt(20), h);
                    }
                } else if (x < 0.23) {
                    f.beats(h, mgmtFrom, start - 5, 5, "mgmt");
                    mgmtFrom = start + 40 + rnd.nextInt(50);
                } else if (x < 0.31) {
                    f.maintenance(start + 5, h, start + 600);
                    f.maintenanceEnd(start + 60 + rnd.nextInt(200), h);
                } else if (x < 0.36) {
                    for (int k = 0; k < 4; k++) {
                        f.health(start + k * 60, h, "cpu_temp_c", 95);
                    }
                } else if (x < 0.39) {
                    f.events.add(new HostRemoved(at(start + 10), seq++, h));
                    f.events.add(hostEvent(h, "r" + i / 2, "c1", start + 100, seq++));
                } else if (x < 0.42) {
                    f.events.add(hostEvent(h, "r" + i / 2, "c2", start + 10, seq++));
                    f.events.add(hostEvent(h, "r" + i / 2, "c1", start + 150, seq++));
                } else if (x < 0.45) {
                    String vm = String.format("v%02d", rnd.nextInt(24));
                    f.events.add(new VmRemoved(at(start + 10), seq++, vm));
                    f.events.add(
                            new VmEvent(
                                    at(start + 120),
                                    seq++,
                                    vm,
                                    h,
                                    4,
                                    4 * 4096,
                                    300,
                                    true,
                                    null,
                                    "sd-1",
                                    List.of("vol-" + vm),
                                    List.of()));
                }
            }
            f.beats(h, mgmtFrom, end, 5, "mgmt");
            f.beats(h, storageFrom, end, 5, "storage");
        }
        return f;
    }

    private static HostEvent hostEvent(String h, String rack, String cluster, double t, long seq) {
        return new HostEvent(
                at(t),
                seq,
                h,
                cluster,
                64,
                64 * 4096,
                rack,
                "pd-" + rack,
                "kvm",
                List.of("sd-1"),
                false,
                true);
    }

    private static HostEvent moved(double t, String cluster, long seq) {
        return new HostEvent(
                at(t),
                seq,
                "h1",
                cluster,
                64,
                64 * 4096,
                "r1",
                "pd-r1",
                "kvm",
                List.of("sd-1"),
                false,
                true);
    }

    private static String host(int i) {
        return String.format("h%02d", i);
    }

    private static ClusterEngine roundTrip(ClusterEngine engine) throws IOException {
        EngineStateSerializer serializer = new EngineStateSerializer();
        DataOutputSerializer out = new DataOutputSerializer(4096);
        serializer.serialize(engine, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Drives an engine over sorted events as {@link EngineFixture#run} does, in two parts. */
    private static final class Stepper {
        private final List<Event> events;
        private int next;

        Stepper(List<Event> events) {
            this.events = events;
        }

        void runBefore(ClusterEngine engine, long limit, EngineFixture out) {
            while (next < events.size()) {
                long t = Math.min(events.get(next).ts(), engine.nextDue());
                if (t >= limit) {
                    return;
                }
                List<Event> now = new ArrayList<>();
                while (next < events.size() && events.get(next).ts() == t) {
                    now.add(events.get(next++));
                }
                engine.advance(t, now, out);
            }
        }

        /** The end of input, the work after it, and the end-of-replay give-ups. */
        void finish(ClusterEngine engine, EngineFixture before, EngineFixture out) {
            long last = events.get(events.size() - 1).ts();
            engine.endOfInput(last);
            while (engine.nextDue() != Long.MAX_VALUE) {
                engine.advance(engine.nextDue(), List.of(), out);
            }
            long end = last;
            for (EngineFixture f : List.of(before, out)) {
                for (var c : f.commands) {
                    end = Math.max(end, c.ts());
                }
                for (var r : f.results) {
                    end = Math.max(end, r.ts());
                }
                for (var x : f.incidents) {
                    end = Math.max(end, x.ts());
                }
                for (var a : f.alerts) {
                    end = Math.max(end, a.ts());
                }
            }
            engine.giveUpAtEnd(end, out);
        }
    }
}
