package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which single failures a cluster can absorb now: every host that is up (from its prestaged plan),
 * every rack and every power domain (its hosts failing together, replanned against the ledger with
 * the failed domains the spec derives from them), each with the HA VMs it would leave unplaced.
 *
 * @param hosts hosts checked
 * @param racks racks checked
 * @param powerDomains power domains checked
 * @param risks the failures that would leave HA VMs unplaced: hosts, then racks, then power
 *     domains, each in id order
 */
public record Admission(int hosts, int racks, int powerDomains, List<Risk> risks)
        implements Serializable {

    /** At most this many VMs are named per risk. */
    public static final int MAX_VMS = 50;

    /** A failure that would leave HA VMs unplaced. */
    public record Risk(String kind, String id, int unplacedVms, List<String> vms)
            implements Serializable {}

    /** Computes the view from the ledger and the current plans; the ledger is left as it was. */
    public static Admission of(Ledger ledger, PrestagedPlans plans, String cluster) {
        return of(ledger, plans, cluster, null);
    }

    /**
     * The view with its host risks from the current plans, and its rack and power domain risks
     * computed afresh, or, when {@code domainsFrom} is not null, taken from that earlier view.
     */
    public static Admission of(
            Ledger ledger, PrestagedPlans plans, String cluster, Admission domainsFrom) {
        List<Risk> risks = new ArrayList<>();
        TreeMap<String, List<PlanHost>> racks = new TreeMap<>();
        TreeMap<String, List<PlanHost>> pds = new TreeMap<>();
        int hosts = 0;
        for (PlanHost h : ledger.hosts()) {
            if (!h.known || !h.up) {
                continue;
            }
            hosts++;
            HostPlan p = plans.plan(h.id);
            if (p != null && !p.unplaced().isEmpty()) {
                risks.add(risk("HOST", h.id, p.unplaced()));
            }
            if (h.rack != null) {
                racks.computeIfAbsent(h.rack, k -> new ArrayList<>()).add(h);
            }
            if (h.powerDomain != null) {
                pds.computeIfAbsent(h.powerDomain, k -> new ArrayList<>()).add(h);
            }
        }
        if (domainsFrom != null) {
            for (Risk r : domainsFrom.risks()) {
                if (!r.kind().equals("HOST")) {
                    risks.add(r);
                }
            }
            return new Admission(
                    hosts, domainsFrom.racks(), domainsFrom.powerDomains(), List.copyOf(risks));
        }
        BalancedPlacer placer = new BalancedPlacer();
        for (var e : racks.entrySet()) {
            List<String> lost = domainLoss(ledger, plans, placer, e.getValue());
            if (!lost.isEmpty()) {
                risks.add(risk("RACK", e.getKey(), lost));
            }
        }
        for (var e : pds.entrySet()) {
            List<String> lost = domainLoss(ledger, plans, placer, e.getValue());
            if (!lost.isEmpty()) {
                risks.add(risk("POWER_DOMAIN", e.getKey(), lost));
            }
        }
        return new Admission(hosts, racks.size(), pds.size(), List.copyOf(risks));
    }

    private static Risk risk(String kind, String id, List<String> unplaced) {
        List<String> vms = unplaced.stream().sorted().limit(MAX_VMS).toList();
        return new Risk(kind, id, unplaced.size(), vms);
    }

    /**
     * The HA VMs left unplaced when the hosts fail together: a single host uses its plan; two or
     * more fail the racks and power domains they share.
     */
    static List<String> domainLoss(
            Ledger ledger, PrestagedPlans plans, BalancedPlacer placer, List<PlanHost> failing) {
        if (failing.size() == 1) {
            HostPlan p = plans.plan(failing.get(0).id);
            return p == null ? List.of() : p.unplaced();
        }
        return placer.unplaced(ledger, restartsOf(ledger, plans, failing), exclusions(failing));
    }

    /** The restarts of every HA VM of the hosts. */
    public static List<VmMove> restartsOf(
            Ledger ledger, PrestagedPlans plans, List<PlanHost> failing) {
        List<VmMove> moves = new ArrayList<>();
        for (PlanHost h : failing) {
            moves.addAll(plans.restarts(ledger, h));
        }
        return moves;
    }

    /** The hosts and the racks and power domains shared by two or more of them (spec). */
    public static Exclusions exclusions(List<PlanHost> failing) {
        Set<String> ids = new TreeSet<>();
        TreeMap<String, Integer> r = new TreeMap<>();
        TreeMap<String, Integer> p = new TreeMap<>();
        for (PlanHost h : failing) {
            ids.add(h.id);
            if (h.rack != null) {
                r.merge(h.rack, 1, Integer::sum);
            }
            if (h.powerDomain != null) {
                p.merge(h.powerDomain, 1, Integer::sum);
            }
        }
        r.values().removeIf(n -> n < 2);
        p.values().removeIf(n -> n < 2);
        return new Exclusions(ids, new TreeSet<>(r.keySet()), new TreeSet<>(p.keySet()));
    }
}
