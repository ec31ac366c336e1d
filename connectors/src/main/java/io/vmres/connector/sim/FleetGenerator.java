package io.vmres.connector.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Lays out a fleet from a builder's settings and seed: the same settings give the same fleet. */
final class FleetGenerator {
    private final SimulatedFleet.Builder b;
    private final Random random;

    FleetGenerator(SimulatedFleet.Builder b) {
        this.b = b;
        this.random = new Random(b.seed);
    }

    /**
     * Hosts split evenly over the clusters, in racks of {@code hostsPerRack} (a rack never spans
     * two clusters), racks grouped into power domains of {@code racksPerPowerDomain} racks (nor
     * does a power domain: a cluster has as many as its racks need); the last hosts of each cluster
     * are its spares.
     */
    List<FleetHost> hosts() {
        List<String> hostIds = SimulatedFleet.ids("h", b.hosts);
        List<FleetHost> out = new ArrayList<>();
        int rack = 0;
        int powerDomain = 0;
        int next = 0;
        Set<String> noBmc = pickWithoutBmc();
        for (int c = 0; c < b.clusters; c++) {
            String cluster = "c" + (c + 1);
            int size = b.hosts / b.clusters + (c < b.hosts % b.clusters ? 1 : 0);
            List<String> storage = new ArrayList<>();
            for (int s = 1; s <= b.storageDomainsPerCluster; s++) {
                storage.add(cluster + "-sd" + s);
            }
            for (int i = 0; i < size; i++) {
                if (i % b.hostsPerRack == 0) {
                    rack++;
                    if ((i / b.hostsPerRack) % b.racksPerPowerDomain == 0) {
                        powerDomain++;
                    }
                }
                String id = hostIds.get(next++);
                boolean spare = i >= size - b.sparesPerCluster;
                out.add(
                        new FleetHost(
                                id,
                                cluster,
                                String.format("r%02d", rack),
                                String.format("pd%02d", powerDomain),
                                "kvm",
                                storage,
                                b.hostCpu,
                                b.hostMemMb,
                                spare,
                                !noBmc.contains(id)));
            }
        }
        return out;
    }

    private Set<String> pickWithoutBmc() {
        // Decided before the spares are known by index: draw among hosts, skip spares later.
        List<String> candidates = new ArrayList<>();
        int next = 0;
        List<String> hostIds = SimulatedFleet.ids("h", b.hosts);
        for (int c = 0; c < b.clusters; c++) {
            int size = b.hosts / b.clusters + (c < b.hosts % b.clusters ? 1 : 0);
            for (int i = 0; i < size; i++) {
                String id = hostIds.get(next++);
                if (i < size - b.sparesPerCluster) {
                    candidates.add(id);
                }
            }
        }
        Collections.shuffle(candidates, random);
        return new HashSet<>(candidates.subList(0, Math.min(b.hostsWithoutBmc, candidates.size())));
    }

    /**
     * {@code hosts × vmsPerHost} VMs dealt round-robin over the non-spare hosts, each of a size
     * drawn from the builder's list that fits where it lands (a VM that fits nowhere is left out),
     * then anti-affinity groups of VMs on distinct hosts of one cluster.
     */
    List<FleetVm> vms(List<FleetHost> hosts) {
        List<FleetHost> workers = hosts.stream().filter(h -> !h.spare()).toList();
        Map<String, double[]> used = new HashMap<>();
        List<String> vmIds = SimulatedFleet.ids("vm", b.hosts * b.vmsPerHost);
        List<FleetVm> out = new ArrayList<>();
        int cursor = 0;
        for (String id : vmIds) {
            double[] size = b.vmSizes.get(random.nextInt(b.vmSizes.size()));
            FleetHost host = null;
            for (int tries = 0; tries < workers.size(); tries++) {
                FleetHost h = workers.get((cursor + tries) % workers.size());
                double[] u = used.computeIfAbsent(h.host(), k -> new double[2]);
                if (u[0] + size[0] <= h.cpu() && u[1] + size[1] <= h.memMb()) {
                    host = h;
                    cursor = (cursor + tries + 1) % workers.size();
                    u[0] += size[0];
                    u[1] += size[1];
                    break;
                }
            }
            if (host == null) {
                continue;
            }
            List<String> disks = new ArrayList<>();
            for (int d = 0; d < b.disksPerVm; d++) {
                disks.add(id + "-disk" + d);
            }
            out.add(
                    new FleetVm(
                            id,
                            host.host(),
                            size[0],
                            size[1],
                            b.priorities.get(random.nextInt(b.priorities.size())),
                            random.nextDouble() >= b.nonHaFraction,
                            null,
                            host.storageDomains().get(random.nextInt(host.storageDomains().size())),
                            disks));
        }
        return withAntiAffinity(out, hosts);
    }

    private List<FleetVm> withAntiAffinity(List<FleetVm> vms, List<FleetHost> hosts) {
        Map<String, String> clusterOf = new HashMap<>();
        hosts.forEach(h -> clusterOf.put(h.host(), h.cluster()));
        List<FleetVm> out = new ArrayList<>(vms);
        List<String> clusters = hosts.stream().map(FleetHost::cluster).distinct().toList();
        for (String cluster : clusters) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) {
                if (cluster.equals(clusterOf.get(out.get(i).host())) && out.get(i).ha()) {
                    members.add(i);
                }
            }
            Collections.shuffle(members, random);
            int cursor = 0;
            for (int g = 1; g <= b.antiAffinityGroupsPerCluster; g++) {
                String group = cluster + "-aag" + g;
                Set<String> onHosts = new HashSet<>();
                int taken = 0;
                while (taken < b.antiAffinityGroupSize && cursor < members.size()) {
                    int i = members.get(cursor++);
                    FleetVm v = out.get(i);
                    if (onHosts.add(v.host())) {
                        out.set(
                                i,
                                new FleetVm(
                                        v.vm(),
                                        v.host(),
                                        v.cpu(),
                                        v.memMb(),
                                        v.priority(),
                                        v.ha(),
                                        group,
                                        v.storageDomain(),
                                        v.disks()));
                        taken++;
                    }
                }
            }
        }
        return out;
    }
}
