package io.vmres.engine.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A random fleet for planning tests, its ledger, a random failure, and an independent check of a
 * round's result against every placement rule of the spec.
 */
final class RandomFleet {
    static final String[] SDS = {"sdA", "sdB", "sdC"};

    /** One host as generated. */
    record Host(
            String id,
            String cluster,
            double cpu,
            double mem,
            String rack,
            String pd,
            String hyp,
            Set<String> sds,
            boolean spare,
            boolean open) {}

    final TreeMap<String, Host> hosts = new TreeMap<>();
    final TreeMap<String, PlanVm> vms = new TreeMap<>();
    final Random rnd;

    RandomFleet(long seed, int maxHosts) {
        rnd = new Random(seed);
        int n = 2 + rnd.nextInt(Math.max(1, maxHosts - 1));
        int racks = 1 + rnd.nextInt(5);
        double closed = rnd.nextDouble() * 0.3;
        for (int i = 0; i < n; i++) {
            TreeSet<String> sds = new TreeSet<>();
            for (String sd : SDS) {
                if (rnd.nextInt(3) > 0) {
                    sds.add(sd);
                }
            }
            String id = String.format("h%03d", i);
            hosts.put(
                    id,
                    new Host(
                            id,
                            rnd.nextInt(12) == 0 ? "c2" : "c1",
                            new double[] {4, 8, 16, 32}[rnd.nextInt(4)],
                            new double[] {8192, 16384, 32768}[rnd.nextInt(3)],
                            "r" + rnd.nextInt(racks),
                            rnd.nextInt(8) == 0 ? null : "p" + rnd.nextInt(3),
                            rnd.nextInt(10) == 0 ? "esx" : "kvm",
                            sds,
                            rnd.nextInt(7) == 0,
                            rnd.nextDouble() >= closed));
        }
        int v = 0;
        for (Host h : hosts.values()) {
            if (h.spare) {
                continue;
            }
            int k = rnd.nextInt(9);
            double cpu = 0;
            double mem = 0;
            TreeSet<String> groups = new TreeSet<>();
            for (int j = 0; j < k; j++) {
                double c = new double[] {1, 2, 4}[rnd.nextInt(3)];
                double m = new double[] {1024, 2048, 4096}[rnd.nextInt(3)];
                String g = rnd.nextInt(3) == 0 ? null : "g" + rnd.nextInt(6);
                if (cpu + c > h.cpu || mem + m > h.mem || (g != null && !groups.add(g))) {
                    continue;
                }
                cpu += c;
                mem += m;
                List<String> sds = new ArrayList<>(h.sds);
                String sd =
                        sds.isEmpty() || rnd.nextInt(3) == 0
                                ? null
                                : sds.get(rnd.nextInt(sds.size()));
                String id = String.format("vm%04d", v++);
                int prio = new int[] {0, 100, 500, 500, 900, 1000}[rnd.nextInt(6)];
                vms.put(
                        id,
                        new PlanVm(id, h.id, c, m, prio, rnd.nextInt(10) > 0, g, sd, List.of()));
            }
        }
    }

    Ledger ledger() {
        Ledger l = new Ledger();
        for (Host h : hosts.values()) {
            l.putHost(h.id, h.cluster, h.cpu, h.mem, h.rack, h.pd, h.hyp, h.sds, h.spare);
            l.setState(h.id, true, h.open);
        }
        for (PlanVm v : vms.values()) {
            l.putVm(v);
        }
        return l;
    }

    /** One host, a random set, or a whole rack, never empty. */
    List<String> failure() {
        List<String> ids = new ArrayList<>(hosts.keySet());
        List<String> out = new ArrayList<>();
        switch (rnd.nextInt(3)) {
            case 0 -> out.add(ids.get(rnd.nextInt(ids.size())));
            case 1 -> {
                for (String id : ids) {
                    if (rnd.nextInt(4) == 0) {
                        out.add(id);
                    }
                }
            }
            default -> {
                String rack = hosts.get(ids.get(rnd.nextInt(ids.size()))).rack;
                for (Host h : hosts.values()) {
                    if (h.rack.equals(rack)) {
                        out.add(h.id);
                    }
                }
            }
        }
        if (out.isEmpty()) {
            out.add(ids.get(0));
        }
        return out;
    }

    /** The restarts of the failing hosts' HA VMs. */
    List<VmMove> restarts(List<String> failing) {
        List<VmMove> moves = new ArrayList<>();
        for (PlanVm v : vms.values()) {
            Host h = hosts.get(v.host());
            if (v.ha() && failing.contains(v.host())) {
                moves.add(new VmMove(v, h.id, h.cluster, h.hyp, true, Set.of()));
            }
        }
        return moves;
    }

    /** The failed hosts and the racks and power domains two or more of them share. */
    Exclusions exclusions(List<String> failing) {
        Map<String, Integer> r = new HashMap<>();
        Map<String, Integer> p = new HashMap<>();
        for (String id : failing) {
            Host h = hosts.get(id);
            r.merge(h.rack, 1, Integer::sum);
            if (h.pd != null) {
                p.merge(h.pd, 1, Integer::sum);
            }
        }
        r.values().removeIf(n -> n < 2);
        p.values().removeIf(n -> n < 2);
        return new Exclusions(Set.copyOf(failing), r.keySet(), p.keySet());
    }

    /** Why the VM may not go to the target now (placed: vm -> target of the round), or null. */
    String violation(
            VmMove m, String target, Map<String, String> placed, Exclusions x, String ignoreVm) {
        Host t = hosts.get(target);
        PlanVm v = m.vm();
        if (t == null || !t.open) {
            return "closed target";
        }
        if (x.hosts().contains(target) || target.equals(m.source())) {
            return "failed target";
        }
        if (x.racks().contains(t.rack) || (t.pd != null && x.powerDomains().contains(t.pd))) {
            return "failed domain";
        }
        if (!t.cluster.equals(m.cluster())) {
            return "other cluster";
        }
        if (!t.hyp.equals(m.hypervisor())) {
            return "other hypervisor";
        }
        if (v.storageDomain() != null && !t.sds.contains(v.storageDomain())) {
            return "storage domain";
        }
        if (t.spare && !m.restart()) {
            return "migration to spare";
        }
        double cpu = v.cpu();
        double mem = v.memMb();
        List<PlanVm> there = new ArrayList<>();
        for (PlanVm o : vms.values()) {
            if (o.host().equals(target)) {
                there.add(o);
            }
        }
        for (Map.Entry<String, String> e : placed.entrySet()) {
            if (e.getValue().equals(target) && !e.getKey().equals(v.id())) {
                there.add(vms.get(e.getKey()));
            }
        }
        for (PlanVm o : there) {
            if (o.id().equals(ignoreVm)) {
                continue;
            }
            cpu += o.cpu();
            mem += o.memMb();
            if (v.group() != null && v.group().equals(o.group())) {
                return "anti-affinity";
            }
        }
        if (cpu > t.cpu + 1e-9 || mem > t.mem + 1e-9) {
            return "capacity";
        }
        return null;
    }

    /** vm -> target as a map ordered like the result. */
    static Map<String, String> copy(Map<String, String> m) {
        return new LinkedHashMap<>(m);
    }
}
