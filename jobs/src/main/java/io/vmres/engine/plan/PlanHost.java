package io.vmres.engine.plan;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One host of a {@link Ledger}: its record (capacity, cluster, rack, power domain, hypervisor,
 * storage domains, spare), whether it may receive VMs now, and what it holds (the VMs on it plus
 * those planned or in flight to it).
 */
public final class PlanHost implements Serializable {
    private static final long serialVersionUID = 1L;

    final String id;
    boolean known;
    String cluster;
    double cpu;
    double memMb;
    String rack;
    String powerDomain;
    String hypervisor = "kvm";
    Set<String> storageDomains = Set.of();
    boolean spare;

    /** Registered in the cluster and not declared failed: it can fail, and so has a plan. */
    boolean up;

    /** A valid target now: alive, not draining, not in maintenance, not in a failed domain. */
    boolean open;

    double usedCpu;
    double usedMem;

    /** VMs planned or in flight to it: its load, the number of restarts a recovery sends it. */
    int inbound;

    /** Prestaged placements that name it (spreads the prestaged plans over the fleet). */
    int staged;

    /** Cached free share of the scarcer resource (see {@link #room()}). */
    private double room;

    final HashMap<String, Integer> groups = new HashMap<>();
    final TreeSet<String> vms = new TreeSet<>();

    /** VMs planned or in flight to it, by id. */
    final TreeMap<String, PlanVm> reserved = new TreeMap<>();

    PlanHost(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public String rack() {
        return rack;
    }

    public String powerDomain() {
        return powerDomain;
    }

    public boolean spare() {
        return spare;
    }

    public boolean up() {
        return up;
    }

    public boolean open() {
        return open;
    }

    public double cpu() {
        return cpu;
    }

    public double memMb() {
        return memMb;
    }

    public double usedCpu() {
        return usedCpu;
    }

    public double usedMem() {
        return usedMem;
    }

    public int inbound() {
        return inbound;
    }

    public String hypervisor() {
        return hypervisor;
    }

    public Set<String> storageDomains() {
        return storageDomains;
    }

    /** The VMs on the host, in id order. */
    public Set<String> vms() {
        return java.util.Collections.unmodifiableSet(vms);
    }

    /** The free share (0..1) of its scarcer resource. */
    public double room() {
        return room;
    }

    /** Computes {@link #room} again after a change of capacity or usage. */
    void refreshRoom() {
        double c = cpu <= 0 ? 0 : 1 - usedCpu / cpu;
        double m = memMb <= 0 ? 0 : 1 - usedMem / memMb;
        room = Math.min(c, m);
    }

    /** VMs of the anti-affinity group on it or bound to it. */
    public int inGroup(String group) {
        return group == null ? 0 : groups.getOrDefault(group, 0);
    }

    void add(PlanVm v) {
        usedCpu += v.cpu();
        usedMem += v.memMb();
        if (v.group() != null) {
            groups.merge(v.group(), 1, Integer::sum);
        }
        refreshRoom();
    }

    void subtract(PlanVm v) {
        usedCpu -= v.cpu();
        usedMem -= v.memMb();
        if (v.group() != null) {
            groups.computeIfPresent(v.group(), (k, n) -> n <= 1 ? null : n - 1);
        }
        refreshRoom();
    }

    /**
     * Writes the host (see {@code io.vmres.engine.state.EngineState}); its room is computed again.
     */
    void write(StateOutput out) throws IOException {
        out.writeString(id);
        out.writeVarInt((known ? 1 : 0) | (spare ? 2 : 0) | (up ? 4 : 0) | (open ? 8 : 0));
        out.writeString(cluster);
        out.writeNumber(cpu);
        out.writeNumber(memMb);
        out.writeString(rack);
        out.writeString(powerDomain);
        out.writeString(hypervisor);
        List<String> domains = new ArrayList<>(storageDomains);
        domains.sort(null);
        out.writeStrings(domains);
        out.writeNumber(usedCpu);
        out.writeNumber(usedMem);
        out.writeInt(inbound);
        out.writeInt(staged);
        out.writeUnorderedMap(groups, (n, o) -> o.writeInt(n));
        out.writeStrings(vms);
        out.writeMap(reserved, (v, o) -> o.writeShared(v, Ledger::writeVm));
    }

    static PlanHost read(StateInput in) throws IOException {
        PlanHost h = new PlanHost(in.readString());
        int flags = in.readVarInt();
        h.known = (flags & 1) != 0;
        h.spare = (flags & 2) != 0;
        h.up = (flags & 4) != 0;
        h.open = (flags & 8) != 0;
        h.cluster = in.readString();
        h.cpu = in.readNumber();
        h.memMb = in.readNumber();
        h.rack = in.readString();
        h.powerDomain = in.readString();
        h.hypervisor = in.readString();
        List<String> domains = in.readStrings(new ArrayList<>());
        h.storageDomains = domains.isEmpty() ? Set.of() : Set.copyOf(domains);
        h.usedCpu = in.readNumber();
        h.usedMem = in.readNumber();
        h.inbound = in.readInt();
        h.staged = in.readInt();
        in.readMap(h.groups, StateInput::readInt);
        in.readStrings(h.vms);
        in.readMap(h.reserved, i -> i.readShared(Ledger::readVm));
        h.refreshRoom();
        return h;
    }

    /** A copy of the host, changed by its owner alone; its VMs are shared (they are immutable). */
    PlanHost copy() {
        PlanHost h = new PlanHost(id);
        h.known = known;
        h.cluster = cluster;
        h.cpu = cpu;
        h.memMb = memMb;
        h.rack = rack;
        h.powerDomain = powerDomain;
        h.hypervisor = hypervisor;
        h.storageDomains = storageDomains;
        h.spare = spare;
        h.up = up;
        h.open = open;
        h.usedCpu = usedCpu;
        h.usedMem = usedMem;
        h.inbound = inbound;
        h.staged = staged;
        h.room = room;
        h.groups.putAll(groups);
        h.vms.addAll(vms);
        h.reserved.putAll(reserved);
        return h;
    }
}
