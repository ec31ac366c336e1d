package io.vmres.engine.plan;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A plan for every host of a cluster (where each of its HA VMs would go if it failed now, or, for a
 * host declared failed, where its VMs not yet moved go), kept current incrementally: a change of
 * some hosts replans those hosts, the hosts whose plans send VMs to them and no longer fit there,
 * and, when capacity may have come back, the hosts whose plans leave VMs unplaced; every other plan
 * stays as it is.
 *
 * <p>Each plan is made against the ledger as it is (no other plan reserved), so each is valid on
 * its own; the ledger's order counts prestaged placements per target, which spreads plans over the
 * fleet and keeps the set of plans that name one target small.
 */
public final class PrestagedPlans implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String cluster;
    private final BalancedPlacer placer = new BalancedPlacer();
    private final TreeMap<String, HostPlan> plans = new TreeMap<>();

    /** target -> hosts whose plans send VMs to it. */
    private final HashMap<String, TreeSet<String>> byTarget = new HashMap<>();

    /** Hosts whose plans leave HA VMs unplaced. */
    private final TreeSet<String> short_ = new TreeSet<>();

    private long replans;

    /**
     * @param cluster the cluster of the ledger's hosts (targets must be in it), or null
     */
    public PrestagedPlans(String cluster) {
        this.cluster = cluster;
    }

    /** The plan of a host, or null when it has none (unknown or removed). */
    public HostPlan plan(String host) {
        return plans.get(host);
    }

    /** Every plan, by host id. */
    public Map<String, HostPlan> plans() {
        return java.util.Collections.unmodifiableMap(plans);
    }

    /** Plans made so far (for tests and benchmarks: how much an update touched). */
    public long replans() {
        return replans;
    }

    /** Plans every host afresh. */
    public void planAll(Ledger ledger) {
        plans.clear();
        byTarget.clear();
        short_.clear();
        ledger.clearStaged();
        for (PlanHost h : ledger.hosts()) {
            replan(ledger, h.id);
        }
    }

    /**
     * The hosts changed (record, state, VMs on them or bound to them): replans what they affect.
     *
     * @return the hosts replanned, in id order
     */
    public Set<String> update(Ledger ledger, Collection<String> changed) {
        TreeSet<String> affected = new TreeSet<>();
        boolean opened = false;
        for (String id : changed) {
            PlanHost h = ledger.host(id);
            affected.add(id);
            if (h != null && h.open) {
                opened = true;
            }
            TreeSet<String> sources = byTarget.get(id);
            if (sources != null) {
                for (String s : sources) {
                    if (!affected.contains(s) && !stillFits(ledger, plans.get(s), id)) {
                        affected.add(s);
                    }
                }
            }
        }
        if (opened) {
            affected.addAll(short_);
        }
        for (String s : affected) {
            replan(ledger, s);
        }
        return affected;
    }

    /** The VMs the plan sends to the target still fit there together. */
    private boolean stillFits(Ledger ledger, HostPlan p, String target) {
        PlanHost t = ledger.host(target);
        if (p == null || t == null || !t.open) {
            return false;
        }
        List<PlanVm> mine = new ArrayList<>();
        for (Map.Entry<String, String> e : p.targets().entrySet()) {
            if (e.getValue().equals(target)) {
                PlanVm v = ledger.vm(e.getKey());
                if (v == null || !v.host().equals(p.host())) {
                    return false;
                }
                mine.add(v);
            }
        }
        PlanHost src = ledger.host(p.host());
        if (mine.size() == 1) {
            return Ledger.fits(t, move(src, mine.get(0)), Exclusions.NONE);
        }
        boolean ok = true;
        int reserved = 0;
        for (PlanVm v : mine) {
            if (!Ledger.fits(t, move(src, v), Exclusions.NONE)) {
                ok = false;
                break;
            }
            ledger.reserve(target, v);
            reserved++;
        }
        for (int i = 0; i < reserved; i++) {
            ledger.release(target, mine.get(i).id());
        }
        return ok;
    }

    private VmMove move(PlanHost src, PlanVm v) {
        return new VmMove(
                v,
                src.id,
                src.cluster != null ? src.cluster : cluster,
                src.hypervisor,
                true,
                Set.of());
    }

    /** The HA VMs of a host as restarts. */
    List<VmMove> restarts(Ledger ledger, PlanHost src) {
        List<VmMove> moves = new ArrayList<>();
        for (String id : src.vms) {
            PlanVm v = ledger.vm(id);
            if (v != null && v.ha()) {
                moves.add(move(src, v));
            }
        }
        return moves;
    }

    private void replan(Ledger ledger, String host) {
        drop(ledger, host);
        PlanHost src = ledger.host(host);
        if (src == null || !src.known) {
            return;
        }
        replans++;
        BalancedPlacer.Result r = placer.stage(ledger, restarts(ledger, src));
        HostPlan p = new HostPlan(host, r.targets(), r.unplaced());
        plans.put(host, p);
        for (String t : p.targets().values()) {
            byTarget.computeIfAbsent(t, k -> new TreeSet<>()).add(host);
        }
        if (!p.unplaced().isEmpty()) {
            short_.add(host);
        }
    }

    private void drop(Ledger ledger, String host) {
        HostPlan old = plans.remove(host);
        short_.remove(host);
        if (old == null) {
            return;
        }
        for (String t : old.targets().values()) {
            PlanHost th = ledger.host(t);
            if (th != null) {
                ledger.stage(th, -1);
            }
            TreeSet<String> s = byTarget.get(t);
            if (s != null) {
                s.remove(host);
                if (s.isEmpty()) {
                    byTarget.remove(t);
                }
            }
        }
    }

    /** A copy of the plans and their indexes, changed by its owner alone (plans are immutable). */
    public PrestagedPlans copy() {
        PrestagedPlans p = new PrestagedPlans(cluster);
        p.plans.putAll(plans);
        byTarget.forEach((t, s) -> p.byTarget.put(t, new TreeSet<>(s)));
        p.short_.addAll(short_);
        p.replans = replans;
        return p;
    }

    /** Writes the plans and their indexes (the cluster is the engine's). */
    public void write(StateOutput out) throws IOException {
        out.writeMap(
                plans,
                (p, o) -> {
                    o.writeString(p.host());
                    o.writeMap(p.targets(), (t, o2) -> o2.writeString(t));
                    o.writeStrings(p.unplaced());
                });
        out.writeUnorderedMap(byTarget, (s, o) -> o.writeStrings(s));
        out.writeStrings(short_);
        out.writeLong(replans);
    }

    public static PrestagedPlans read(StateInput in, String cluster) throws IOException {
        PrestagedPlans p = new PrestagedPlans(cluster);
        in.readMap(
                p.plans,
                i ->
                        new HostPlan(
                                i.readString(),
                                i.readMap(
                                        new LinkedHashMap<String, String>(),
                                        StateInput::readString),
                                i.readStrings(new ArrayList<>())));
        in.readMap(p.byTarget, i -> i.readStrings(new TreeSet<>()));
        in.readStrings(p.short_);
        p.replans = in.readLong();
        return p;
    }
}
