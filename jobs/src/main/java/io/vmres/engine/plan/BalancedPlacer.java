package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places the VMs of one planning round against one capacity ledger (see docs/planning.md).
 *
 * <ol>
 *   <li>Order: by effective priority (a VM's own, raised to that of any VM of the round that
 *       depends on it, so a dependency is placed before its dependents), then priority, then id.
 *   <li>Greedy: each VM to the first valid target in the ledger's order (spares first for restarts,
 *       then the fewest VMs planned or in flight to it over the whole round, then the fewest
 *       prestaged placements, the most room, the lowest id), reserved at once. A VM no valid target
 *       holds is unplaced.
 *   <li>Balance: while every VM of the round is placed, chains of moves between targets of the same
 *       kind (spare or not) take a VM off a most loaded target and end on a target at least two VMs
 *       lighter, until no chain exists; this lowers the round's makespan (its most loaded target).
 * </ol>
 *
 * <p>Deterministic: the same ledger and requests give the same placements.
 */
public final class BalancedPlacer implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The outcome of a round: vm -> target in placement order, and the VMs left unplaced. */
    public record Result(LinkedHashMap<String, String> targets, List<String> unplaced)
            implements Serializable {

        /** The largest number of VMs sent to one target by this round. */
        public int maxPerTarget() {
            Map<String, Integer> n = new HashMap<>();
            int max = 0;
            for (String t : targets.values()) {
                max = Math.max(max, n.merge(t, 1, Integer::sum));
            }
            return max;
        }
    }

    /**
     * Places the moves; with {@code commit} the reservations stay in the ledger, otherwise the
     * ledger is left as it was.
     */
    public Result place(Ledger ledger, List<VmMove> moves, Exclusions x, boolean commit) {
        return place(ledger, moves, x, commit, true);
    }

    /**
     * The VMs a round would leave unplaced (the greedy alone: balancing moves placed VMs only, so
     * it never changes which are unplaced); the ledger is left as it was.
     */
    public List<String> unplaced(Ledger ledger, List<VmMove> moves, Exclusions x) {
        return place(ledger, moves, x, false, false).unplaced();
    }

    /**
     * A prestaged plan: placed and balanced as a round, then released, each placement counted as
     * prestaged on its target (see {@link Ledger#releaseStaged}).
     */
    Result stage(Ledger ledger, List<VmMove> moves) {
        Result r = place(ledger, moves, Exclusions.NONE, true, true);
        r.targets().forEach((vm, t) -> ledger.releaseStaged(t, vm));
        return r;
    }

    private Result place(
            Ledger ledger, List<VmMove> moves, Exclusions x, boolean commit, boolean balance) {
        List<VmMove> order = order(moves);
        LinkedHashMap<String, String> targets = new LinkedHashMap<>();
        List<String> unplaced = new ArrayList<>();
        for (VmMove m : order) {
            PlanHost best = null;
            for (PlanHost h : ledger.targets()) {
                if (Ledger.fits(h, m, x)) {
                    best = h;
                    break;
                }
            }
            if (best == null) {
                unplaced.add(m.vm().id());
            } else {
                ledger.reserve(best.id, m.vm());
                targets.put(m.vm().id(), best.id);
            }
        }
        if (balance && unplaced.isEmpty() && targets.size() > 1) {
            balance(ledger, order, targets, x);
        }
        if (!commit) {
            targets.forEach((vm, t) -> ledger.release(t, vm));
        }
        return new Result(targets, unplaced);
    }

    /** The round's order: effective priority, priority, id (all descending but the id). */
    static List<VmMove> order(List<VmMove> moves) {
        Map<String, Integer> eff = new HashMap<>();
        Map<String, VmMove> byId = new HashMap<>();
        boolean deps = false;
        for (VmMove m : moves) {
            eff.put(m.vm().id(), m.vm().priority());
            byId.put(m.vm().id(), m);
            deps |= !m.vm().dependsOn().isEmpty();
        }
        // raise each dependency to its dependents' level; at most |moves| passes (cycles settle)
        for (int pass = 0; deps && pass < moves.size(); pass++) {
            boolean changed = false;
            for (VmMove m : moves) {
                int p = eff.get(m.vm().id());
                for (String d : m.vm().dependsOn()) {
                    Integer pd = eff.get(d);
                    if (pd != null && pd < p && byId.containsKey(d)) {
                        eff.put(d, p);
                        changed = true;
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        List<VmMove> order = new ArrayList<>(moves);
        order.sort(
                Comparator.<VmMove>comparingInt(m -> -eff.get(m.vm().id()))
                        .thenComparingInt(m -> -m.vm().priority())
                        .thenComparing(m -> m.vm().id()));
        return order;
    }

    private static void balance(
            Ledger ledger,
            List<VmMove> order,
            LinkedHashMap<String, String> targets,
            Exclusions x) {
        int most = 0;
        for (String t : targets.values()) {
            most = Math.max(most, ledger.host(t).inbound);
        }
        if (most <= 1) {
            return; // every target takes one VM: nothing to balance
        }
        boolean restartOnNonSpare = false;
        for (VmMove m : order) {
            if (m.restart() && !ledger.host(targets.get(m.vm().id())).spare) {
                restartOnNonSpare = true;
                break;
            }
        }
        // moving a VM off a spare could leave room there for a restart placed on a non-spare
        boolean spareMoves = !restartOnNonSpare;
        Map<String, VmMove> byVm = new HashMap<>();
        order.forEach(m -> byVm.put(m.vm().id(), m));
        for (int step = 0; step < 2 * order.size(); step++) {
            if (!augment(ledger, byVm, targets, x, spareMoves)) {
                return;
            }
        }
    }

    /**
     * No chain can help: for each kind (spare or not) holding a target of load {@code max}, that
     * load is already the average load of the kind's open hosts outside the exclusions, rounded up.
     */
    private static boolean averageBound(
            Ledger ledger,
            Map<String, List<String>> onTarget,
            int max,
            boolean spareMoves,
            Exclusions x) {
        long[] sum = new long[2];
        long[] count = new long[2];
        for (PlanHost h : ledger.targets()) {
            if (!x.allows(h)) {
                continue;
            }
            int k = h.spare ? 0 : 1;
            sum[k] += h.inbound;
            count[k]++;
        }
        for (String t : onTarget.keySet()) {
            PlanHost h = ledger.host(t);
            int k = h.spare ? 0 : 1;
            if (h.inbound == max
                    && (!h.spare || spareMoves)
                    && max > (sum[k] + count[k] - 1) / count[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * One chain of moves that unloads a most loaded target: a breadth-first search from the targets
     * of load M over "a VM of the round on t fits t2" edges, between targets of the same kind, to a
     * target of load at most M - 2; the moves run from its end back to the start, so each target
     * along the chain gives a VM and takes one, and only the ends change load.
     *
     * @return whether a chain was found and moved
     */
    private static boolean augment(
            Ledger ledger,
            Map<String, VmMove> byVm,
            LinkedHashMap<String, String> targets,
            Exclusions x,
            boolean spareMoves) {
        java.util.TreeMap<String, List<String>> onTarget = new java.util.TreeMap<>();
        targets.forEach((vm, t) -> onTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(vm));
        int max = 0;
        for (String t : onTarget.keySet()) {
            max = Math.max(max, ledger.host(t).inbound);
        }
        if (max <= 1 || averageBound(ledger, onTarget, max, spareMoves, x)) {
            return false;
        }
        Map<String, String[]> parent = new HashMap<>(); // node -> {previous node, vm moved}
        java.util.ArrayDeque<PlanHost> queue = new java.util.ArrayDeque<>();
        for (String t : onTarget.keySet()) {
            PlanHost h = ledger.host(t);
            if (h.inbound == max && (!h.spare || spareMoves)) {
                parent.put(t, null);
                queue.add(h);
            }
        }
        PlanHost end = null;
        while (!queue.isEmpty() && end == null) {
            PlanHost t = queue.poll();
            for (String vm : onTarget.get(t.id)) {
                VmMove m = byVm.get(vm);
                for (PlanHost h : ledger.targets()) {
                    if (h.spare != t.spare) {
                        if (t.spare) {
                            break; // spares come first: none left
                        }
                        continue;
                    }
                    if (h.inbound > max - 2) {
                        break; // ordered by load within a kind
                    }
                    if (!parent.containsKey(h.id) && Ledger.fits(h, m, x)) {
                        end = h;
                        break;
                    }
                }
                if (end != null) {
                    parent.put(end.id, new String[] {t.id, vm});
                    break;
                }
                for (String u : onTarget.keySet()) {
                    PlanHost uh = ledger.host(u);
                    if (uh.spare == t.spare && !parent.containsKey(u) && Ledger.fits(uh, m, x)) {
                        parent.put(u, new String[] {t.id, vm});
                        queue.add(uh);
                    }
                }
            }
        }
        if (end == null) {
            return false;
        }
        String node = end.id;
        for (String[] p = parent.get(node); p != null; p = parent.get(node)) {
            VmMove m = byVm.get(p[1]);
            ledger.release(p[0], p[1]);
            ledger.reserve(node, m.vm());
            targets.put(p[1], node);
            node = p[0];
        }
        return true;
    }
}
