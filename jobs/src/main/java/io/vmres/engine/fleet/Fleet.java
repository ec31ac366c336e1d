package io.vmres.engine.fleet;

import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fleet view of one cluster (spec: The fleet view, Hosts over time): hosts with their liveness,
 * VMs where the view holds them, and the placement rules judged on it.
 */
public final class Fleet implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String cluster;
    private final Settings settings;
    private final TreeMap<String, HostState> hosts = new TreeMap<>();
    private final TreeMap<String, VmState> vms = new TreeMap<>();

    /** power domain -> its latest reading of the power infrastructure. */
    private final TreeMap<String, DomainReading> domains = new TreeMap<>();

    /** The hosts whose state changed since the planning last took them (not checkpointed). */
    private final HostChanges changes = new HostChanges();

    /** Of a copy ({@link #copyOnWrite}): the hosts and "vm:" VMs it made its own. */
    private transient HashSet<String> owned;

    /** Of a copy: the hosts taken to beat on, alive at every instant ({@link #beatOn}). */
    private transient Set<String> beatingOn;

    /**
     * The latest reading of a power domain: its state ({@code on}, {@code off}, {@code unknown}).
     */
    public record DomainReading(String state, long ts) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    public Fleet(String cluster, Settings settings) {
        this.cluster = cluster;
        this.settings = settings;
    }

    /** host -> its state, every host seen (registered here or not), in host order. */
    public TreeMap<String, HostState> hosts() {
        return hosts;
    }

    /** vm -> its state, every VM the fleet view holds, in VM order. */
    public TreeMap<String, VmState> vms() {
        return vms;
    }

    /** power domain -> its latest reading, in domain order. */
    public TreeMap<String, DomainReading> domains() {
        return domains;
    }

    /** A reading of a power domain (applied in event-time order: it is the latest). */
    public void domainReading(String powerDomain, String state, long ts) {
        domains.put(powerDomain, new DomainReading(state, ts));
    }

    /**
     * The host's power is proven off now (spec: Power proof), by its own reading or its domain's.
     */
    public boolean provenOff(HostState hs) {
        return PowerProof.ownReading(hs) || PowerProof.domainReading(hs, domainOf(hs));
    }

    /** The host's power is proven off now by its power domain's reading. */
    public boolean provenOffByDomain(HostState hs) {
        return PowerProof.domainReading(hs, domainOf(hs));
    }

    private DomainReading domainOf(HostState hs) {
        String pd = hs.record() == null ? null : hs.record().powerDomain();
        return pd == null ? null : domains.get(pd);
    }

    /**
     * The hosts whose state may have changed since the planning last took them; a new host is one.
     */
    public HostChanges changes() {
        return changes;
    }

    /**
     * A copy of the fleet view for a question about it: the same host and VM states, shared until
     * the copy takes one of its own to change it ({@link #ownHost}, {@link #ownVm}); the hosts
     * marked changed here are marked in the copy. Nothing done to the copy changes this view.
     */
    public Fleet copyOnWrite() {
        Fleet f = new Fleet(cluster, settings);
        f.owned = new HashSet<>();
        f.hosts.putAll(hosts);
        f.vms.putAll(vms);
        f.domains.putAll(domains);
        f.changes.markAll(changes);
        return f;
    }

    /**
     * The host's state, this view's own from now on (a copy of a shared one, once), to change; null
     * when the view has no such host. Only for a view made by {@link #copyOnWrite}.
     */
    public HostState ownHost(String id) {
        if (owned == null) {
            throw new IllegalStateException("only a copy of a fleet view changes its own hosts");
        }
        HostState hs = hosts.get(id);
        if (hs == null || owned.contains(id)) {
            return hs;
        }
        HostState own = hs.copy(changes);
        hosts.put(id, own);
        owned.add(id);
        return own;
    }

    /**
     * Of a copy ({@link #copyOnWrite}): the hosts beat on from now on, every channel at every
     * instant, as a question about the future takes the hosts it does not fail (their telemetry to
     * come is not known); alive until declared otherwise.
     */
    public void beatOn(Set<String> hosts) {
        if (owned == null) {
            throw new IllegalStateException("only a copy of a fleet view beats on");
        }
        beatingOn = Set.copyOf(hosts);
    }

    /** The VM's state, this view's own from now on, to change ({@link #ownHost}); or null. */
    public VmState ownVm(String id) {
        if (owned == null) {
            throw new IllegalStateException("only a copy of a fleet view changes its own VMs");
        }
        VmState vs = vms.get(id);
        if (vs == null || owned.contains("vm:" + id)) {
            return vs;
        }
        VmState own = vs.copy();
        vms.put(id, own);
        owned.add("vm:" + id);
        return own;
    }

    /** The state of a host, created on first sight. */
    public HostState host(String id) {
        HostState hs = hosts.get(id);
        if (hs == null) {
            hs = new HostState(id, changes);
            hosts.put(id, hs);
        }
        return hs;
    }

    /** Frees the slot a job holds on its target, unless its command is in flight there. */
    public void unreserve(VmJob j) {
        if (j.target() != null
                && (j.phase() == VmJob.Phase.PLACED
                        || j.phase() == VmJob.Phase.MAPPING
                        || j.phase() == VmJob.Phase.READY
                        || j.phase() == VmJob.Phase.IN_DOUBT)) {
            HostState th = hosts.get(j.target());
            if (th != null) {
                th.removeIncoming(j.vm);
            }
        }
    }

    /** The job is not owed any more: an answer already in flight recovers nothing. */
    public void drop(VmJob j) {
        if (j.phase() != VmJob.Phase.IN_FLIGHT) {
            unreserve(j);
        }
        j.moveTo(VmJob.Phase.DROPPED);
    }

    /** Registered now, in this cluster by its record valid now. */
    public boolean registeredHere(HostState hs) {
        return hs != null && hs.registered() && cluster.equals(hs.cluster());
    }

    /**
     * The dependency's state, or null when the spec ignores it (itself, unknown, other cluster).
     */
    public VmState relevantDependency(String vm, String d) {
        if (d.equals(vm)) {
            return null;
        }
        VmState ds = vms.get(d);
        if (ds == null) {
            return null;
        }
        HostState dh = hosts.get(ds.host());
        if (dh != null && dh.record() != null && !cluster.equals(dh.cluster())) {
            return null;
        }
        return ds;
    }

    /**
     * A dependency runs when the fleet view holds it on a host neither declared failed nor awaiting
     * confirmation, and it is not awaiting recovery (spec: Dependencies).
     */
    public boolean runs(VmState ds) {
        HostState dh = hosts.get(ds.host());
        return !ds.ghost() && !ds.down() && (dh == null || dh.status() != Status.FAILED);
    }

    /**
     * Alive (spec: Placement): has beaten, every channel it used beat within the timeout, and it is
     * not declared failed (or has rejoined).
     */
    public boolean alive(HostState th, long now) {
        return th.usedAny() && now < aliveUntil(th) && th.status() == Status.NORMAL;
    }

    /**
     * The first instant at which the host is not alive unless it beats again: a channel it used
     * then has beaten no later than a timeout before (Long.MAX_VALUE when it used none).
     */
    public long aliveUntil(HostState th) {
        if (beatingOn != null && beatingOn.contains(th.id)) {
            return Long.MAX_VALUE;
        }
        long until = Long.MAX_VALUE;
        for (Channel c : Channel.values()) {
            if (th.used(c)) {
                until = Math.min(until, Times.plus(th.lastBeat(c), settings.heartbeatTimeoutMs()));
            }
        }
        return until;
    }

    /** Every placement rule of the spec for the job's VM on the target, at this instant. */
    public boolean fits(VmJob j, String target, FailedDomains domains, long now) {
        if (target.equals(j.source) || j.failedTargets().contains(target)) {
            return false;
        }
        HostState th = hosts.get(target);
        HostState sh = hosts.get(j.source);
        VmState vs = vms.get(j.vm);
        if (!registeredHere(th) || sh == null || vs == null || !alive(th, now)) {
            return false;
        }
        if (th.draining() || th.inMaintenance() || (!j.restart && th.record().spare())) {
            return false;
        }
        if ((th.record().rack() != null && domains.racks().contains(th.record().rack()))
                || (th.record().powerDomain() != null
                        && domains.powerDomains().contains(th.record().powerDomain()))) {
            return false;
        }
        if (sh.record() != null && !th.cluster().equals(sh.cluster())) {
            return false;
        }
        if (!th.hypervisor().equals(sh.hypervisor())) {
            return false;
        }
        String sd = vs.record().storageDomain();
        if (sd != null
                && (th.record().storageDomains() == null
                        || !th.record().storageDomains().contains(sd))) {
            return false;
        }
        double cpu = vs.record().cpu();
        double mem = vs.record().memMb();
        String group = vs.record().antiAffinityGroup();
        // the VMs there and coming, each once and in name order (the order of the sums), merged
        // from the two sorted sets without building their union: this runs for every VM ready to
        // move each time the executor looks
        Iterator<String> a = th.vms().iterator();
        Iterator<String> b = th.incoming().iterator();
        String x = a.hasNext() ? a.next() : null;
        String y = b.hasNext() ? b.next() : null;
        while (x != null || y != null) {
            String o;
            if (y == null || (x != null && x.compareTo(y) < 0)) {
                o = x;
                x = a.hasNext() ? a.next() : null;
            } else if (x == null || y.compareTo(x) < 0) {
                o = y;
                y = b.hasNext() ? b.next() : null;
            } else {
                o = x;
                x = a.hasNext() ? a.next() : null;
                y = b.hasNext() ? b.next() : null;
            }
            if (o.equals(j.vm)) {
                continue;
            }
            VmState os = vms.get(o);
            if (os == null) {
                continue;
            }
            cpu += os.record().cpu();
            mem += os.record().memMb();
            if (group != null && group.equals(os.record().antiAffinityGroup())) {
                return false;
            }
        }
        return cpu <= th.record().cpu() + 1e-9 && mem <= th.record().memMb() + 1e-9;
    }

    /** The free share of the scarcer resource of a target, counting what is planned to it. */
    public double room(String target) {
        HostState th = hosts.get(target);
        double cpu = 0;
        double mem = 0;
        TreeSet<String> there = new TreeSet<>(th.vms());
        there.addAll(th.incoming());
        for (String o : there) {
            VmState os = vms.get(o);
            if (os != null) {
                cpu += os.record().cpu();
                mem += os.record().memMb();
            }
        }
        double c = th.record().cpu() <= 0 ? 0 : 1 - cpu / th.record().cpu();
        double m = th.record().memMb() <= 0 ? 0 : 1 - mem / th.record().memMb();
        return Math.min(c, m);
    }

    /** Writes the hosts and VMs (the cluster and settings are the engine's). */
    public void write(StateOutput out) throws IOException {
        out.writeAll(hosts.values(), HostState::write);
        out.writeAll(vms.values(), VmState::write);
        // since version 3 (Power proof): the latest reading of each power domain
        out.writeMap(
                domains,
                (d, o) -> {
                    o.writeString(d.state());
                    o.writeTs(d.ts());
                });
    }

    public static Fleet read(StateInput in, String cluster, Settings settings) throws IOException {
        Fleet f = new Fleet(cluster, settings);
        int n = in.readVarInt();
        for (int i = 0; i < n; i++) {
            HostState hs = HostState.read(in);
            // every host read counts as changed: the planning's first look takes them all
            hs.watch(f.changes);
            f.hosts.put(hs.id, hs);
        }
        n = in.readVarInt();
        for (int i = 0; i < n; i++) {
            VmState vs = VmState.read(in);
            f.vms.put(vs.id, vs);
        }
        if (in.version() >= 3) {
            in.readMap(f.domains, i -> new DomainReading(i.readString(), i.readTs()));
        }
        return f;
    }
}
