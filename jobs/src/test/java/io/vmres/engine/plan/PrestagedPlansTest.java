package io.vmres.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Prestaged plans stay valid through random changes, and an update replans only what it must. */
class PrestagedPlansTest {

    /** Every plan names exactly its host's HA VMs, and its placements fit the ledger together. */
    private static void assertValid(Ledger l, PrestagedPlans plans, long seed) {
        for (PlanHost h : l.hosts()) {
            HostPlan p = plans.plan(h.id());
            if (!h.up() && p == null) {
                continue;
            }
            assertThat(p).as("plan of %s (seed %d)", h.id(), seed).isNotNull();
            TreeSet<String> ha = new TreeSet<>();
            for (String v : h.vms()) {
                if (l.vm(v).ha()) {
                    ha.add(v);
                }
            }
            TreeSet<String> named = new TreeSet<>(p.targets().keySet());
            named.addAll(p.unplaced());
            assertThat(named).as("VMs of %s's plan (seed %d)", h.id(), seed).isEqualTo(ha);
            List<String[]> held = new ArrayList<>();
            for (Map.Entry<String, String> e : p.targets().entrySet()) {
                PlanVm v = l.vm(e.getKey());
                VmMove m = new VmMove(v, h.id(), h.cluster, h.hypervisor(), true, Set.of());
                assertThat(Ledger.fits(l.host(e.getValue()), m, Exclusions.NONE))
                        .as(
                                "%s -> %s in %s's plan (seed %d)",
                                e.getKey(), e.getValue(), h.id(), seed)
                        .isTrue();
                l.reserve(e.getValue(), v);
                held.add(new String[] {e.getValue(), e.getKey()});
            }
            held.forEach(x -> l.release(x[0], x[1]));
        }
    }

    @Property(tries = 300)
    void plansStayValidThroughRandomChanges(@ForAll long seed) {
        RandomFleet f = new RandomFleet(seed, 25);
        Ledger l = f.ledger();
        PrestagedPlans plans = new PrestagedPlans(null);
        plans.planAll(l);
        assertValid(l, plans, seed);
        Random rnd = new Random(seed);
        List<String> ids = new ArrayList<>(f.hosts.keySet());
        for (int step = 0; step < 20; step++) {
            String h = ids.get(rnd.nextInt(ids.size()));
            PlanHost ph = l.host(h);
            switch (rnd.nextInt(4)) {
                case 0 ->
                        l.putVm(
                                new PlanVm(
                                        "new" + step,
                                        h,
                                        1 + rnd.nextInt(4),
                                        1024,
                                        500,
                                        true,
                                        rnd.nextBoolean() ? "g" + rnd.nextInt(6) : null,
                                        null,
                                        List.of()));
                case 1 -> {
                    if (!ph.vms().isEmpty()) {
                        l.removeVm(new ArrayList<>(ph.vms()).get(rnd.nextInt(ph.vms().size())));
                    }
                }
                case 2 -> l.setState(h, ph.up(), !ph.open());
                default ->
                        l.putHost(
                                h,
                                ph.cluster,
                                Math.max(1, ph.cpu() + (rnd.nextBoolean() ? 8 : -8)),
                                ph.memMb(),
                                ph.rack(),
                                ph.powerDomain(),
                                ph.hypervisor(),
                                ph.storageDomains(),
                                ph.spare());
            }
            Map<String, HostPlan> before = new HashMap<>(plans.plans());
            Set<String> replanned = plans.update(l, List.of(h));
            assertValid(l, plans, seed);
            for (Map.Entry<String, HostPlan> e : before.entrySet()) {
                if (!replanned.contains(e.getKey())) {
                    assertThat(plans.plan(e.getKey())).isSameAs(e.getValue());
                }
            }
        }
    }

    @Test
    void anUpdateTouchesOnlyThePlansItAffects() {
        Ledger l = new Ledger();
        for (int i = 0; i < 50; i++) {
            String id = String.format("h%02d", i);
            l.putHost(id, "c1", 16, 16384, "r" + i, "p" + i, "kvm", Set.of(), false);
            for (int k = 0; k < 4; k++) {
                l.putVm(new PlanVm(id + "-" + k, id, 1, 1024, 500, true, null, null, List.of()));
            }
        }
        PrestagedPlans plans = new PrestagedPlans("c1");
        plans.planAll(l);
        long made = plans.replans();
        assertThat(made).isEqualTo(50);
        // a new VM on h07: its own plan again, and those plans that sent VMs to h07 only if they no
        // longer fit there (they still do: h07 has room)
        l.putVm(new PlanVm("extra", "h07", 1, 1024, 500, true, null, null, List.of()));
        Set<String> replanned = plans.update(l, List.of("h07"));
        assertThat(replanned).containsExactly("h07");
        assertThat(plans.replans()).isEqualTo(made + 1);
        assertThat(plans.plan("h07").targets()).containsKey("extra");
        // h07 fills up: the plans sending VMs to it are made again, and go elsewhere
        l.putVm(new PlanVm("fat", "h07", 11, 1024, 500, true, null, null, List.of()));
        replanned = plans.update(l, List.of("h07"));
        assertThat(replanned.size()).isGreaterThan(1).isLessThan(50);
        for (HostPlan p : plans.plans().values()) {
            if (!p.host().equals("h07")) {
                assertThat(p.targets()).doesNotContainValue("h07");
            }
        }
    }
}
