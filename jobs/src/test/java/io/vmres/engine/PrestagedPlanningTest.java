package io.vmres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Event;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.plan.HostPlan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine keeps a plan per host ready, uses it on a failure, and publishes admission. */
class PrestagedPlanningTest {

    /** h1 holds four VMs and dies at 20 s; h2..h5 live; h5 is a spare of 8 cores. */
    private static EngineFixture fleet() {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        for (int i = 1; i <= 4; i++) {
            f.host("h" + i, "r" + i);
            f.vm("v" + i, "h1", 100 * i, null, List.of());
        }
        f.host("h5", "r5", true, true, 8);
        for (int i = 2; i <= 5; i++) {
            f.beats("h" + i, 0, 200, 1);
        }
        f.beats("h1", 0, 20, 1).power(1, "h1", "on");
        return f;
    }

    /** Runs the fixture's events up to {@code until} by hand and returns the rest. */
    private static List<Event> runUntil(EngineFixture f, double until) {
        f.events.sort((a, b) -> Long.compare(a.ts(), b.ts()));
        List<Event> before =
                f.events.stream().filter(e -> e.ts() <= EngineFixture.at(until)).toList();
        List<Event> after =
                f.events.stream().filter(e -> e.ts() > EngineFixture.at(until)).toList();
        int i = 0;
        while (i < before.size()) {
            long t = Math.min(before.get(i).ts(), f.engine.nextDue());
            List<Event> now = new ArrayList<>();
            while (i < before.size() && before.get(i).ts() == t) {
                now.add(before.get(i++));
            }
            f.engine.advance(t, now, f);
        }
        f.events.clear();
        return after;
    }

    @Test
    void aSingleHostFailureRestartsItsVmsWhereItsPrestagedPlanSaid() {
        EngineFixture f = fleet();
        List<Event> rest = runUntil(f, 10);
        HostPlan plan = f.engine.planning().plans().plan("h1");
        assertThat(plan.targets()).hasSize(4);
        assertThat(plan.unplaced()).isEmpty();
        // spares first: the 8-core spare takes two of the 4-core VMs, the highest priority ones
        assertThat(plan.targets()).containsEntry("v4", "h5").containsEntry("v3", "h5");
        Map<String, String> planned = new LinkedHashMap<>(plan.targets());

        f.events.addAll(rest);
        f.run();
        Map<String, String> restarted = new LinkedHashMap<>();
        for (CommandOut c : f.commands("RESTART_VM")) {
            restarted.put(c.vm(), c.target());
        }
        assertThat(restarted).isEqualTo(planned);
        assertThat(f.engine.planning().prestagedRounds()).isEqualTo(1);
        assertThat(f.engine.planning().freshRounds()).isZero();
    }

    @Test
    void theAdmissionViewNamesTheHostsWhoseFailureWouldLeaveVmsUnplaced() {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        List<AdmissionOut> seen = f.admissions;
        // two hosts of 8 cores, each full with two VMs of 4: neither can take the other's
        f.host("a", "r1", true, false, 8).host("b", "r2", true, false, 8);
        f.vm("a1", "a", 500, null, List.of()).vm("a2", "a", 500, null, List.of());
        f.vm("b1", "b", 500, null, List.of());
        f.beats("a", 0, 30, 1).beats("b", 0, 30, 1);
        f.run();
        assertThat(seen).isNotEmpty();
        AdmissionOut last = seen.get(seen.size() - 1);
        assertThat(last.cluster()).isEqualTo("c1");
        assertThat(last.hosts()).isEqualTo(2);
        assertThat(last.racks()).isEqualTo(2);
        // b has room for one of a's two VMs; a is full, so b's VM has nowhere to go
        assertThat(last.risks())
                .extracting(
                        AdmissionOut.Risk::kind,
                        AdmissionOut.Risk::id,
                        AdmissionOut.Risk::unplacedVms)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("HOST", "a", 1),
                        org.assertj.core.groups.Tuple.tuple("HOST", "b", 1));
        // at most once per instant, and only on a change
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).ts()).isGreaterThan(seen.get(i - 1).ts());
            assertThat(seen.get(i).risks()).isNotEqualTo(seen.get(i - 1).risks());
        }
    }

    @Test
    void anUnplacedAlertSaysWhyNoTargetHoldsTheVm() {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        f.host("h1", "r1").host("h2", "r2", true, false, 8).host("h3", "r3", true, false, 4);
        f.vm("v1", "h1", 900, null, List.of())
                .vm("v2", "h1", 500, null, List.of())
                .vm("v3", "h1", 500, null, List.of())
                .vm("v4", "h1", 100, null, List.of());
        f.beats("h2", 0, 200, 1).beats("h3", 0, 200, 1);
        f.beats("h1", 0, 20, 1).power(21, "h1", "off").run();
        assertThat(f.alerts("UNPLACED")).hasSize(1);
        assertThat(f.alerts("UNPLACED").get(0).vms()).containsExactly("v4");
        assertThat(f.alerts("UNPLACED").get(0).detail())
                .isEqualTo(
                        "no valid target: not enough free cpu or memory on the 2 hosts that meet every other"
                                + " rule");
    }

    @Test
    void anEngineRestoredWithoutPlanningPlansAgainFromItsFleetView() throws Exception {
        EngineFixture f = fleet();
        List<Event> rest = runUntil(f, 10);
        // as restored from a savepoint of a version that kept no planning
        java.lang.reflect.Field field = ClusterEngine.class.getDeclaredField("planning");
        field.setAccessible(true);
        field.set(f.engine, null);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(f.engine);
        }
        ClusterEngine restoredEngine;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            restoredEngine = (ClusterEngine) in.readObject();
        }
        EngineFixture restored = new EngineFixture(restoredEngine);
        restored.commands.addAll(f.commands);
        restored.events.addAll(rest);
        restored.run();
        assertThat(restored.commands("RESTART_VM")).hasSize(4);
        assertThat(restored.engine.planning().plans().plan("h2")).isNotNull();
    }

    @Test
    void prestagedPlansSurviveACheckpointRoundTrip() throws Exception {
        EngineFixture f = fleet();
        List<Event> rest = runUntil(f, 10);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(f.engine);
        }
        ClusterEngine copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ClusterEngine) in.readObject();
        }
        assertThat(copy.planning().plans().plans()).isEqualTo(f.engine.planning().plans().plans());
        assertThat(copy.planning().admission()).isEqualTo(f.engine.planning().admission());
        EngineFixture restored = new EngineFixture(copy);
        restored.events.addAll(rest);
        restored.run();
        f.events.addAll(rest);
        f.run();
        assertThat(restored.commands).isEqualTo(f.commands);
        assertThat(copy.planning().prestagedRounds()).isEqualTo(1);
    }
}
