package io.vmres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Event;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.state.EngineState;
import io.vmres.engine.state.StateOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * The planning takes only the hosts that changed (and those whose liveness deadline passed), yet
 * keeps the same ledger, plans and admission view as a planning that looks at every host at every
 * look: random fleets of one cluster through random crashes, silences, rejoins, power readings,
 * maintenance, VM moves and removals, host records changed and removed, all run by engines side by
 * side; after every step their planning state is the same, byte for byte, and so are their outputs.
 */
class ChangeDrivenPlanningTest {

    private static final int STEPS_SECONDS = 400;

    /** Looks at most once a second of event time, as the engine does. */
    @Property(tries = 12, seed = "20261202")
    void takingOnlyTheChangedHostsKeepsThePlanningOfALookAtEveryHost(
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) throws IOException {
        check(seed, 1000);
    }

    /** Looks at every instant. */
    @Property(tries = 12, seed = "20261203")
    void takingOnlyTheChangedHostsAtEveryInstantKeepsThePlanningOfALookAtEveryHostThen(
            @ForAll @LongRange(min = 1, max = 1_000_000) long seed) throws IOException {
        check(seed, 0);
    }

    private static void check(long seed, long lookEveryMs) throws IOException {
        List<Event> events = scenario(new SplittableRandom(seed));
        SplittableRandom rnd = new SplittableRandom(seed * 31 + 7);
        ClusterEngine changed = engine(new FleetPlanning("c1", lookEveryMs, false));
        ClusterEngine every = engine(new FleetPlanning("c1", lookEveryMs, true));
        EngineFixture outChanged = new EngineFixture(changed);
        EngineFixture outEvery = new EngineFixture(every);
        long restoreAt = EngineFixture.at(rnd.nextInt(STEPS_SECONDS));
        boolean restored = lookEveryMs != 1000; // the engine's own look survives a checkpoint
        long last = events.get(events.size() - 1).ts();
        int i = 0;
        int looks = 0;
        while (i < events.size() || changed.nextDue() != Long.MAX_VALUE) {
            long t =
                    Math.min(
                            i < events.size() ? events.get(i).ts() : Long.MAX_VALUE,
                            changed.nextDue());
            List<Event> now = new ArrayList<>();
            while (i < events.size() && events.get(i).ts() == t) {
                now.add(events.get(i++));
            }
            assertThat(every.nextDue()).isEqualTo(changed.nextDue());
            changed.advance(t, now, outChanged);
            every.advance(t, now, outEvery);
            if (i == events.size()) {
                changed.endOfInput(last);
                every.endOfInput(last);
            }
            assertThat(planningBytes(changed))
                    .as("planning at %d of seed %d", t, seed)
                    .isEqualTo(planningBytes(every));
            looks++;
            if (!restored && t >= restoreAt) {
                // a restored engine takes every host at its first look, then follows changes again
                changed = restore(changed);
                outChanged = rebind(outChanged, changed);
                restored = true;
            }
        }
        assertThat(changed.planning().admission()).isEqualTo(every.planning().admission());
        assertThat(outChanged.commands).isEqualTo(outEvery.commands);
        assertThat(outChanged.alerts).isEqualTo(outEvery.alerts);
        assertThat(outChanged.incidents).isEqualTo(outEvery.incidents);
        assertThat(outChanged.admissions).isEqualTo(outEvery.admissions);
        assertThat(looks).isGreaterThan(STEPS_SECONDS);
    }

    private static ClusterEngine engine(FleetPlanning planning) {
        return new ClusterEngine(
                "c1",
                Settings.DEFAULTS,
                EngineOptions.of(ClusterEngine.Hypervisor.SIMULATED),
                planning);
    }

    private static ClusterEngine restore(ClusterEngine e) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        EngineState.write(e, new DataOutputStream(b));
        return EngineState.read(new DataInputStream(new ByteArrayInputStream(b.toByteArray())));
    }

    /** The outputs so far, kept for the restored engine. */
    private static EngineFixture rebind(EngineFixture out, ClusterEngine e) {
        EngineFixture f = new EngineFixture(e);
        f.commands.addAll(out.commands);
        f.results.addAll(out.results);
        f.incidents.addAll(out.incidents);
        f.alerts.addAll(out.alerts);
        f.admissions.addAll(out.admissions);
        f.hostStates.addAll(out.hostStates);
        return f;
    }

    private static byte[] planningBytes(ClusterEngine e) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        e.planning().write(StateOutput.start(new DataOutputStream(b), EngineState.VERSION));
        return b.toByteArray();
    }

    /**
     * A random cluster: 5 to 14 hosts in 2 to 4 racks (some spares, some without a BMC), VMs of
     * random sizes, priorities, anti-affinity groups and dependencies, heartbeats every 1 or 2 s;
     * hosts crash (some with a power reading of off, some rejoin), a whole rack may go dark with
     * its power domain read off, a host may beat on one channel only for a while, go into
     * maintenance and out, have its record changed or be removed; VMs move and are removed.
     */
    private static List<Event> scenario(SplittableRandom r) {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        int hosts = 5 + r.nextInt(10);
        int racks = 2 + r.nextInt(3);
        double[] silentFrom = new double[hosts];
        double[] silentTo = new double[hosts];
        List<String> vms = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            String id = "h" + h;
            f.host(id, "r" + (h % racks), r.nextInt(4) > 0, r.nextInt(7) == 0, 16 + r.nextInt(49));
            int n = r.nextInt(5);
            for (int v = 0; v < n; v++) {
                String vm = "v" + h + "-" + v;
                List<String> deps =
                        vms.isEmpty() || r.nextInt(5) > 0
                                ? List.of()
                                : List.of(vms.get(r.nextInt(vms.size())));
                f.vm(
                        vm,
                        id,
                        r.nextInt(1000),
                        r.nextInt(6) > 0,
                        r.nextInt(3) == 0 ? "g" + r.nextInt(3) : null,
                        deps,
                        2 + r.nextInt(7));
                vms.add(vm);
            }
            silentFrom[h] = STEPS_SECONDS + 10;
            silentTo[h] = STEPS_SECONDS + 10;
            if (r.nextInt(3) == 0) {
                silentFrom[h] = 20 + r.nextInt(STEPS_SECONDS - 60);
                silentTo[h] =
                        r.nextBoolean() ? silentFrom[h] + 15 + r.nextInt(120) : STEPS_SECONDS + 10;
            }
        }
        if (r.nextInt(4) == 0) {
            // a rack goes dark together, its power domain read off
            int rack = r.nextInt(racks);
            double at = 30 + r.nextInt(STEPS_SECONDS / 2);
            for (int h = rack; h < hosts; h += racks) {
                silentFrom[h] = at;
                silentTo[h] = STEPS_SECONDS + 10;
            }
            f.domain(at + 3, "pd-r" + rack, "off");
        }
        for (int h = 0; h < hosts; h++) {
            String id = "h" + h;
            double period = 1 + r.nextInt(2);
            double phase = r.nextInt(1000) / 1000.0;
            boolean storageLate = r.nextInt(6) == 0;
            double storageFrom = storageLate ? 10 + r.nextInt(100) : 0;
            for (double t = phase; t <= STEPS_SECONDS; t += period) {
                if (t >= silentFrom[h] && t < silentTo[h]) {
                    continue;
                }
                f.beats(id, t, t, period, "mgmt");
                if (t >= storageFrom) {
                    f.beats(id, t, t, period, "storage");
                }
            }
            if (silentFrom[h] < STEPS_SECONDS && r.nextBoolean()) {
                f.power(silentFrom[h] + 2 + r.nextInt(3), id, "off");
            }
            if (silentFrom[h] < STEPS_SECONDS && r.nextInt(3) == 0) {
                f.confirm(silentFrom[h] + 20 + r.nextInt(20), id);
            }
        }
        if (r.nextBoolean()) {
            String id = "h" + r.nextInt(hosts);
            double at = 10 + r.nextInt(STEPS_SECONDS / 2);
            f.maintenance(at, id, at + 60 + r.nextInt(200));
            if (r.nextBoolean()) {
                f.maintenanceEnd(at + 30 + r.nextInt(100), id);
            }
        }
        for (int k = r.nextInt(6); k > 0 && !vms.isEmpty(); k--) {
            f.placed(
                    5 + r.nextInt(STEPS_SECONDS - 10),
                    vms.get(r.nextInt(vms.size())),
                    "h" + r.nextInt(hosts),
                    r.nextInt(1000));
        }
        List<Event> events = new ArrayList<>(f.events);
        long seq = 1_000_000;
        for (int k = r.nextInt(3); k > 0 && !vms.isEmpty(); k--) {
            events.add(
                    new VmRemoved(
                            EngineFixture.at(5 + r.nextInt(STEPS_SECONDS - 10)),
                            seq++,
                            vms.get(r.nextInt(vms.size()))));
        }
        if (r.nextInt(3) == 0) {
            // a host's record changes: another size, or another cluster
            String id = "h" + r.nextInt(hosts);
            events.add(
                    new HostEvent(
                            EngineFixture.at(20 + r.nextInt(STEPS_SECONDS - 40)),
                            seq++,
                            id,
                            r.nextInt(4) == 0 ? "c2" : "c1",
                            8 + r.nextInt(64),
                            (8 + r.nextInt(64)) * 4096.0,
                            "r0",
                            "pd-r0",
                            "kvm",
                            List.of("sd-1"),
                            false,
                            true));
        }
        if (r.nextInt(4) == 0) {
            events.add(
                    new HostRemoved(
                            EngineFixture.at(20 + r.nextInt(STEPS_SECONDS - 40)),
                            seq++,
                            "h" + r.nextInt(hosts)));
        }
        events.sort(Comparator.comparingLong(Event::ts).thenComparingLong(Event::seq));
        return events;
    }
}
