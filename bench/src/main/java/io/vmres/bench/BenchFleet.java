package io.vmres.bench;

import io.vmres.engine.plan.Exclusions;
import io.vmres.engine.plan.Ledger;
import io.vmres.engine.plan.PlanHost;
import io.vmres.engine.plan.PlanVm;
import io.vmres.engine.plan.VmMove;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A synthetic cluster for the planning benchmarks: racks of 40 hosts (64 cores, 256 GiB), power
 * domains of two racks, four storage domains (each host has two), spare racks, VMs of 1 to 4 cores
 * in anti-affinity groups of five; rack 0 is dense (28 VMs a host), the rest share the remaining
 * VMs.
 */
public final class BenchFleet {
    public static final int RACK = 40;

    public final Ledger ledger = new Ledger();
    public final List<String> hostIds = new ArrayList<>();
    public final List<String> spareIds = new ArrayList<>();

    /**
     * @param hosts hosts in all, a multiple of 40
     * @param vms VMs in all
     * @param spareRacks racks of spares among them (the last ones)
     * @param seed the same seed gives the same fleet
     */
    public BenchFleet(int hosts, int vms, int spareRacks, long seed) {
        Random rnd = new Random(seed);
        int racks = hosts / RACK;
        String[] sds = {"sd0", "sd1", "sd2", "sd3"};
        List<String> workers = new ArrayList<>();
        for (int r = 0; r < racks; r++) {
            boolean spare = r >= racks - spareRacks;
            for (int i = 0; i < RACK; i++) {
                int n = r * RACK + i;
                String id = String.format("h%05d", n);
                int sd = n % 4;
                ledger.putHost(
                        id,
                        "c1",
                        64,
                        262144,
                        String.format("r%03d", r),
                        String.format("p%03d", r / 2),
                        "kvm",
                        new TreeSet<>(Set.of(sds[sd], sds[(sd + 1) % 4])),
                        spare);
                hostIds.add(id);
                (spare ? spareIds : workers).add(id);
            }
        }
        int v = 0;
        // rack 0: 28 VMs a host
        for (int i = 0; i < RACK; i++) {
            for (int k = 0; k < 28; k++) {
                add(workers.get(i), v++, rnd);
            }
        }
        List<String> rest = workers.subList(RACK, workers.size());
        for (int i = 0; v < vms; i++) {
            add(rest.get(i % rest.size()), v++, rnd);
        }
    }

    private void add(String host, int v, Random rnd) {
        PlanHost h = ledger.host(host);
        double cpu = 1 + rnd.nextInt(3);
        double mem = 2048 * (1 + rnd.nextInt(4));
        if (h.usedCpu() + cpu > h.cpu() || h.usedMem() + mem > h.memMb()) {
            cpu = 1;
            mem = 1024;
        }
        List<String> sds = new ArrayList<>(new TreeSet<>(h.storageDomains()));
        ledger.putVm(
                new PlanVm(
                        String.format("vm%06d", v),
                        host,
                        cpu,
                        mem,
                        100 * rnd.nextInt(11),
                        rnd.nextInt(20) > 0,
                        "g" + (v / 5),
                        sds.get(rnd.nextInt(sds.size())),
                        List.of()));
    }

    /** The hosts of a rack. */
    public List<PlanHost> rack(int r) {
        List<PlanHost> out = new ArrayList<>();
        for (int i = 0; i < RACK; i++) {
            out.add(ledger.host(hostIds.get(r * RACK + i)));
        }
        return out;
    }

    /** The restarts of every HA VM of the hosts. */
    public List<VmMove> restarts(List<PlanHost> failing) {
        List<VmMove> moves = new ArrayList<>();
        for (PlanHost h : failing) {
            for (String id : h.vms()) {
                PlanVm vm = ledger.vm(id);
                if (vm.ha()) {
                    moves.add(VmMove.restart(vm, "c1", "kvm"));
                }
            }
        }
        return moves;
    }

    /** The failed hosts of a rack and the rack and power domain they share. */
    public static Exclusions rackFailure(List<PlanHost> failing) {
        TreeSet<String> ids = new TreeSet<>();
        failing.forEach(h -> ids.add(h.id()));
        return new Exclusions(
                ids, Set.of(failing.get(0).rack()), Set.of(failing.get(0).powerDomain()));
    }
}
