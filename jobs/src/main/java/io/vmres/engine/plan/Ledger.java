package io.vmres.engine.plan;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The capacity ledger of one cluster: every host with what it holds, every VM with its host, and
 * the open hosts ordered as the placer tries them (spares first, then the least loaded, the least
 * used by prestaged plans, the most room, the lowest id). Every change of a host keeps that order
 * current in O(log hosts).
 */
public final class Ledger implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The order in which a round tries targets. */
    static final Comparator<PlanHost> ORDER =
            (a, b) -> {
                if (a.spare != b.spare) {
                    return a.spare ? -1 : 1;
                }
                if (a.inbound != b.inbound) {
                    return Integer.compare(a.inbound, b.inbound);
                }
                if (a.staged != b.staged) {
                    return Integer.compare(a.staged, b.staged);
                }
                int r = Double.compare(b.room(), a.room());
                return r != 0 ? r : a.id.compareTo(b.id);
            };

    private final TreeMap<String, PlanHost> hosts = new TreeMap<>();
    private final HashMap<String, PlanVm> vms = new HashMap<>();
    private transient TreeSet<PlanHost> index;

    /** The host, or null when the ledger has never heard of it. */
    public PlanHost host(String id) {
        return hosts.get(id);
    }

    /** Every host, in id order. */
    public Collection<PlanHost> hosts() {
        return hosts.values();
    }

    public PlanVm vm(String id) {
        return vms.get(id);
    }

    public int vmCount() {
        return vms.size();
    }

    /** The open hosts in the order a round tries them. */
    public NavigableSet<PlanHost> targets() {
        if (index == null) {
            index = new TreeSet<>(ORDER);
            for (PlanHost h : hosts.values()) {
                if (indexed(h)) {
                    index.add(h);
                }
            }
        }
        return index;
    }

    private static boolean indexed(PlanHost h) {
        return h.known && h.open;
    }

    private void unindex(PlanHost h) {
        if (index != null && indexed(h)) {
            index.remove(h);
        }
    }

    private void reindex(PlanHost h) {
        if (index != null && indexed(h)) {
            index.add(h);
        }
    }

    private PlanHost make(String id) {
        return hosts.computeIfAbsent(id, PlanHost::new);
    }

    /** Registers or updates a host's record; it is up and open until told otherwise. */
    public PlanHost putHost(
            String id,
            String cluster,
            double cpu,
            double memMb,
            String rack,
            String powerDomain,
            String hypervisor,
            Set<String> storageDomains,
            boolean spare) {
        PlanHost h = make(id);
        unindex(h);
        boolean wasKnown = h.known;
        h.known = true;
        h.cluster = cluster;
        h.cpu = cpu;
        h.memMb = memMb;
        h.rack = rack;
        h.powerDomain = powerDomain;
        h.hypervisor = hypervisor == null ? "kvm" : hypervisor;
        h.storageDomains = storageDomains == null ? Set.of() : Set.copyOf(storageDomains);
        h.spare = spare;
        h.refreshRoom();
        if (!wasKnown) {
            h.up = true;
            h.open = true;
        }
        reindex(h);
        return h;
    }

    /** Whether the host can fail (up) and may receive VMs (open). */
    public void setState(String id, boolean up, boolean open) {
        PlanHost h = make(id);
        unindex(h);
        h.up = up;
        h.open = open;
        reindex(h);
    }

    /** The host left the cluster: it neither fails nor receives VMs. */
    public void removeHost(String id) {
        PlanHost h = hosts.get(id);
        if (h != null) {
            unindex(h);
            h.known = false;
            h.up = false;
            h.open = false;
        }
    }

    /** Adds or updates a VM where it runs (moving its usage from its former host). */
    public void putVm(PlanVm v) {
        removeVm(v.id());
        vms.put(v.id(), v);
        PlanHost h = make(v.host());
        unindex(h);
        h.vms.add(v.id());
        h.add(v);
        reindex(h);
    }

    /** Forgets a VM and the usage it held. */
    public void removeVm(String id) {
        PlanVm old = vms.remove(id);
        if (old == null) {
            return;
        }
        PlanHost h = hosts.get(old.host());
        if (h != null && h.vms.remove(id)) {
            unindex(h);
            h.subtract(old);
            reindex(h);
        }
    }

    /** Holds the VM's cpu, memory and group on the target and counts it in the target's load. */
    public void reserve(String target, PlanVm v) {
        PlanHost h = make(target);
        unindex(h);
        PlanVm old = h.reserved.put(v.id(), v);
        if (old != null) {
            h.subtract(old);
            h.inbound--;
        }
        h.add(v);
        h.inbound++;
        reindex(h);
    }

    /** Undoes a {@link #reserve}. */
    public void release(String target, String vm) {
        PlanHost h = hosts.get(target);
        if (h == null) {
            return;
        }
        PlanVm old = h.reserved.get(vm);
        if (old == null) {
            return;
        }
        unindex(h);
        h.reserved.remove(vm);
        h.subtract(old);
        h.inbound--;
        reindex(h);
    }

    /** Undoes a {@link #reserve} and counts the VM as prestaged on the target, in one step. */
    void releaseStaged(String target, String vm) {
        PlanHost h = hosts.get(target);
        PlanVm old = h.reserved.get(vm);
        unindex(h);
        h.reserved.remove(vm);
        h.subtract(old);
        h.inbound--;
        h.staged++;
        reindex(h);
    }

    /** Forgets every prestaged placement: all counts to zero, the order built again once. */
    void clearStaged() {
        for (PlanHost h : hosts.values()) {
            h.staged = 0;
        }
        index = null;
    }

    /** Drops every reservation of the host. */
    public void releaseAll(String target) {
        PlanHost h = hosts.get(target);
        if (h != null) {
            for (String vm : new TreeSet<>(h.reserved.keySet())) {
                release(target, vm);
            }
        }
    }

    void stage(PlanHost h, int delta) {
        unindex(h);
        h.staged += delta;
        reindex(h);
    }

    /** The target is valid for the move: see {@link #rule}. */
    public static boolean fits(PlanHost h, VmMove m, Exclusions x) {
        return rule(h, m, x) == OK;
    }

    /** {@link #rule}: every rule holds. */
    public static final int OK = 0;

    /** {@link #rule}: not a target now (unknown, closed, excluded, its source, avoided). */
    public static final int CLOSED = 1;

    /** {@link #rule}: a spare, and the move is a migration. */
    public static final int SPARE = 2;

    /** {@link #rule}: another cluster. */
    public static final int CLUSTER = 3;

    /** {@link #rule}: another hypervisor. */
    public static final int HYPERVISOR = 4;

    /** {@link #rule}: lacks the VM's storage domain. */
    public static final int STORAGE = 5;

    /** {@link #rule}: holds a VM of the VM's anti-affinity group. */
    public static final int GROUP = 6;

    /** {@link #rule}: not enough cpu or memory left. */
    public static final int CAPACITY = 7;

    /**
     * The first placement rule the target breaks for the move, in this order: open, not excluded,
     * not its source nor a target it must avoid; no spare for a migration; same cluster; same
     * hypervisor; its storage domain; no VM of its anti-affinity group; its cpu and memory within
     * what is left. {@link #OK} when every rule holds.
     */
    public static int rule(PlanHost h, VmMove m, Exclusions x) {
        if (!h.known || !h.open || !x.allows(h)) {
            return CLOSED;
        }
        if (h.id.equals(m.source()) || m.avoid().contains(h.id)) {
            return CLOSED;
        }
        if (h.spare && !m.restart()) {
            return SPARE;
        }
        if (m.cluster() != null && !m.cluster().equals(h.cluster)) {
            return CLUSTER;
        }
        if (m.hypervisor() != null && !m.hypervisor().equals(h.hypervisor)) {
            return HYPERVISOR;
        }
        PlanVm v = m.vm();
        if (v.storageDomain() != null && !h.storageDomains.contains(v.storageDomain())) {
            return STORAGE;
        }
        if (v.group() != null && h.inGroup(v.group()) > 0) {
            return GROUP;
        }
        if (h.usedCpu + v.cpu() <= h.cpu + 1e-9 && h.usedMem + v.memMb() <= h.memMb + 1e-9) {
            return OK;
        }
        return CAPACITY;
    }

    /**
     * Why no target of the ledger holds the move, from the rule that came closest to holding on any
     * host (capacity, then anti-affinity, storage domain, hypervisor, cluster, spares).
     */
    public String whyNot(VmMove m, Exclusions x) {
        String why = closestRule(m, x);
        return why.equals("it fits now") ? why : why + excludedBy(m, x);
    }

    private String closestRule(VmMove m, Exclusions x) {
        int best = OK;
        int n = 0;
        for (PlanHost h : hosts.values()) {
            int r = rule(h, m, x);
            if (r == OK) {
                return "it fits now";
            }
            if (r > best) {
                best = r;
                n = 1;
            } else if (r == best) {
                n++;
            }
        }
        PlanVm v = m.vm();
        String hosts = n == 1 ? "the 1 host" : "the " + n + " hosts";
        switch (best) {
            case CAPACITY:
                return "not enough free cpu or memory on " + hosts + " that meet every other rule";
            case GROUP:
                return hosts
                        + " that meet every other rule hold a VM of anti-affinity group "
                        + v.group();
            case STORAGE:
                return "no live host of its cluster and hypervisor has storage domain "
                        + v.storageDomain();
            case HYPERVISOR:
                return "no live host of its cluster runs hypervisor " + m.hypervisor();
            case CLUSTER:
                return "no live host in its cluster";
            case SPARE:
                return "only spares are left, and spares take no live migrations";
            default:
                return "no live host: every other host is failed, draining, in maintenance or in a"
                        + " failed domain";
        }
    }

    /**
     * The failed power domains and racks that closed hosts of the move's cluster that were open, as
     * "; excluded by failed power domain pd01, rack r02", or "" when none did: an operator must see
     * that a domain failure, not the fleet, left the VM without a target.
     */
    private String excludedBy(VmMove m, Exclusions x) {
        TreeSet<String> powerDomains = new TreeSet<>();
        TreeSet<String> racks = new TreeSet<>();
        for (PlanHost h : hosts.values()) {
            if (!h.known || !h.open || h.id.equals(m.source()) || x.hosts().contains(h.id)) {
                continue;
            }
            if (m.cluster() != null && !m.cluster().equals(h.cluster)) {
                continue;
            }
            if (h.powerDomain() != null && x.powerDomains().contains(h.powerDomain())) {
                powerDomains.add(h.powerDomain());
            }
            if (h.rack() != null && x.racks().contains(h.rack())) {
                racks.add(h.rack());
            }
        }
        if (powerDomains.isEmpty() && racks.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("; excluded by failed ");
        if (!powerDomains.isEmpty()) {
            b.append(powerDomains.size() == 1 ? "power domain " : "power domains ")
                    .append(String.join(", ", powerDomains));
        }
        if (!racks.isEmpty()) {
            b.append(powerDomains.isEmpty() ? "" : ", ")
                    .append(racks.size() == 1 ? "rack " : "racks ")
                    .append(String.join(", ", racks));
        }
        return b.toString();
    }

    /**
     * A copy of the ledger, changed by its owner alone: every host copied field by field (the same
     * figures, bit for bit, as the original's), the VMs shared (they are immutable).
     */
    public Ledger copy() {
        Ledger l = new Ledger();
        for (PlanHost h : hosts.values()) {
            l.hosts.put(h.id, h.copy());
        }
        l.vms.putAll(vms);
        return l;
    }

    /** Writes the hosts and VMs; the order of open hosts is an index, made again on first use. */
    public void write(StateOutput out) throws IOException {
        out.writeAll(hosts.values(), PlanHost::write);
        out.writeUnorderedMap(vms, (v, o) -> o.writeShared(v, Ledger::writeVm));
    }

    public static Ledger read(StateInput in) throws IOException {
        Ledger l = new Ledger();
        int n = in.readVarInt();
        for (int i = 0; i < n; i++) {
            PlanHost h = PlanHost.read(in);
            l.hosts.put(h.id, h);
        }
        in.readMap(l.vms, i -> i.readShared(Ledger::readVm));
        return l;
    }

    static void writeVm(PlanVm v, StateOutput out) throws IOException {
        out.writeString(v.id());
        out.writeString(v.host());
        out.writeNumber(v.cpu());
        out.writeNumber(v.memMb());
        out.writeInt(v.priority());
        out.writeBoolean(v.ha());
        out.writeString(v.group());
        out.writeString(v.storageDomain());
        out.writeStrings(v.dependsOn());
    }

    static PlanVm readVm(StateInput in) throws IOException {
        return new PlanVm(
                in.readString(),
                in.readString(),
                in.readNumber(),
                in.readNumber(),
                in.readInt(),
                in.readBoolean(),
                in.readString(),
                in.readString(),
                in.readStrings(new java.util.ArrayList<>()));
    }
}
