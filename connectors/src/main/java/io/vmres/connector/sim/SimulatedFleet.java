package io.vmres.connector.sim;

import io.vmres.connector.runtime.Outcome;
import io.vmres.schema.Channel;
import io.vmres.schema.PowerState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.producer.Producer;

/**
 * A simulated data center for the demo, replay and benchmarks: hosts in clusters, racks, power and
 * storage domains, VMs on them, their telemetry ({@link #telemetry}), faults to inject ({@link
 * #crash}, {@link #isolate}, {@link #hang}), repairs ({@link #repair}, then {@link #failback} to
 * bring a repaired host's VMs back to it) and a hypervisor that acts on it ({@link
 * SimulatedHypervisor}). Generated from a seed, so the same builder gives the same fleet.
 * Thread-safe: the telemetry thread, connector workers and callers use it at once.
 *
 * <pre>{@code
 * SimulatedFleet fleet = SimulatedFleet.builder().hosts(200).vmsPerHost(10).seed(7).build();
 * try (TelemetryPublisher telemetry = fleet.telemetry(producer).start()) {
 *   fleet.crash("h017"); // its heartbeats stop, its BMC reads off
 * }
 * }</pre>
 */
public final class SimulatedFleet {
    private final Map<String, FleetHost> hosts; // insertion order: by id
    private final Map<String, HostCondition> conditions = new LinkedHashMap<>();
    private final Map<String, FleetVm> vms = new LinkedHashMap<>();
    // vm -> hosts running a second copy of it, started late (see moveLate)
    private final Map<String, Set<String>> strays = new LinkedHashMap<>();
    // vm -> the host it was generated on: where a failback brings it back to
    private final Map<String, String> homes = new LinkedHashMap<>();
    private final Ledger ledger;
    private boolean telemetryOutage;
    private final Clock clock;
    private final Builder settings;
    private TelemetryPublisher publisher;

    private SimulatedFleet(Builder b, List<FleetHost> hosts, List<FleetVm> vms) {
        this.settings = b;
        this.clock = b.clock;
        this.ledger = b.ledgerFile == null ? new Ledger() : Ledger.inFile(b.ledgerFile);
        this.hosts = new LinkedHashMap<>();
        for (FleetHost h : hosts) {
            this.hosts.put(h.host(), h);
            conditions.put(h.host(), new HostCondition());
        }
        for (FleetVm v : vms) {
            this.vms.put(v.vm(), v);
            homes.put(v.vm(), v.host());
            ledger.vmStarted(v.vm(), v.host(), now());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A publisher of this fleet's inventory and telemetry on the given producer; not started (call
     * {@link TelemetryPublisher#start()}, or {@link TelemetryPublisher#tick()} by hand). From now
     * on the fleet's own changes (a crash's power reading, a VM moved) go out on it at once.
     */
    public synchronized TelemetryPublisher telemetry(Producer<byte[], byte[]> producer) {
        if (publisher != null && !publisher.isClosed()) {
            throw new IllegalStateException("the fleet already has a telemetry publisher");
        }
        publisher = new TelemetryPublisher(this, producer, settings);
        return publisher;
    }

    public Ledger ledger() {
        return ledger;
    }

    public Clock clock() {
        return clock;
    }

    // ---- inventory and state ----

    public synchronized List<FleetHost> hosts() {
        return List.copyOf(hosts.values());
    }

    public synchronized Optional<FleetHost> host(String host) {
        return Optional.ofNullable(hosts.get(host));
    }

    public synchronized List<FleetVm> vms() {
        return List.copyOf(vms.values());
    }

    public synchronized Optional<FleetVm> vm(String vm) {
        return Optional.ofNullable(vms.get(vm));
    }

    public synchronized List<FleetVm> vmsOn(String host) {
        return vms.values().stream().filter(v -> v.host().equals(host)).toList();
    }

    /** The host a VM was placed on when the fleet was made: where {@link #failback} returns it. */
    public synchronized Optional<String> home(String vm) {
        return Optional.ofNullable(homes.get(vm));
    }

    /** The VMs whose home is the host, wherever they run now. */
    public synchronized List<FleetVm> vmsHomedOn(String host) {
        return vms.values().stream().filter(v -> host.equals(homes.get(v.vm()))).toList();
    }

    /** What the host's BMC reads now ({@code unknown} for a host without one). */
    public synchronized PowerState power(String host) {
        if (!hosts.get(known(host)).bmc()) {
            return PowerState.unknown;
        }
        return conditions.get(host).bmcReading();
    }

    /** Whether the host sends heartbeats on the channel now. */
    public synchronized boolean beats(String host, Channel channel) {
        HostCondition c = conditions.get(known(host));
        return c.poweredOn && (channel == Channel.mgmt ? c.mgmt : c.storage);
    }

    /** CPU and memory taken on a host by the VMs on it. */
    public record Usage(double cpu, double memMb) {}

    public synchronized Usage used(String host) {
        double cpu = 0;
        double mem = 0;
        for (FleetVm v : vms.values()) {
            if (v.host().equals(host)) {
                cpu += v.cpu();
                mem += v.memMb();
            }
        }
        return new Usage(cpu, mem);
    }

    // ---- faults ----

    /** The host dies: heartbeats stop on both channels and its BMC reads off, published at once. */
    public synchronized void crash(String host) {
        HostCondition c = conditions.get(known(host));
        if (c.poweredOn) {
            stopAllOn(host);
        }
        c.poweredOn = false;
        publishPower(host);
    }

    /**
     * A rack loses power: every host in it crashes at once (heartbeats stop, BMCs read off).
     *
     * @return the hosts that went down
     */
    public synchronized List<String> rackPowerLoss(String rack) {
        List<String> down = new ArrayList<>();
        for (FleetHost h : hosts.values()) {
            if (h.rack().equals(rack)) {
                crash(h.host());
                down.add(h.host());
            }
        }
        if (down.isEmpty()) {
            throw new IllegalArgumentException("no host in rack " + rack);
        }
        return down;
    }

    /**
     * A rack loses power and its BMCs with it: every host in it goes down, and their BMCs neither
     * read (power {@code unknown}) nor fence, until repaired. Only the power infrastructure (a PDU)
     * can still tell that the rack is off.
     *
     * @return the hosts that went down
     */
    public synchronized List<String> rackBlackout(String rack) {
        List<String> down = new ArrayList<>();
        for (FleetHost h : hosts.values()) {
            if (h.rack().equals(rack)) {
                conditions.get(h.host()).bmcAlive = false;
                crash(h.host());
                down.add(h.host());
            }
        }
        if (down.isEmpty()) {
            throw new IllegalArgumentException("no host in rack " + rack);
        }
        return down;
    }

    /**
     * The telemetry pipeline fails (or heals, with {@code false}): no heartbeat, power reading or
     * health sample goes out of any host while it lasts, though every host is fine. vmres must not
     * act on such an outage.
     */
    public synchronized void telemetryOutage(boolean down) {
        this.telemetryOutage = down;
    }

    /** Whether a telemetry outage is on. */
    public synchronized boolean telemetryOutage() {
        return telemetryOutage;
    }

    /** The management network of the host fails: mgmt heartbeats stop, storage ones go on. */
    public synchronized void isolate(String host) {
        conditions.get(known(host)).mgmt = false;
    }

    /** The host hangs: heartbeats stop on both channels, but its BMC still reads on. */
    public synchronized void hang(String host) {
        HostCondition c = conditions.get(known(host));
        c.mgmt = false;
        c.storage = false;
    }

    /**
     * The host is repaired: powered on, heartbeats on both channels again. The VMs the inventory
     * still places on it stay there (the job treats a failed host as rejoining empty); those a
     * recovery moved away stay where they were restarted until a {@link #failback} brings them
     * back.
     */
    public synchronized void repair(String host) {
        HostCondition c = conditions.get(known(host));
        boolean wasOff = !c.poweredOn;
        c.poweredOn = true;
        c.bmcAlive = true;
        c.mgmt = true;
        c.storage = true;
        if (wasOff) {
            for (FleetVm v : vms.values()) {
                if (v.host().equals(host)) {
                    ledger.vmStarted(v.vm(), host, now());
                }
            }
            publishPower(host);
        }
    }

    /**
     * What a failback did: the VMs live-migrated back to their home host, those already there whose
     * record was published again, and those left where they run, each with the reason.
     */
    public record Failback(
            String host, List<String> moved, List<String> republished, Map<String, String> left) {
        public Failback {
            moved = List.copyOf(moved);
            republished = List.copyOf(republished);
            left = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(left));
        }
    }

    /**
     * Moves the VMs that lived on {@code host} back to it, as an operator rebalances after a
     * repair: each VM whose home (the host it was placed on when the fleet was made) is {@code
     * host} and that runs elsewhere now is live-migrated back, one at a time: it stops on its
     * current host and runs on its home host in one step, and its {@code vm} record goes out on the
     * inventory (placed on its home host) at once. A VM already at home (one no recovery moved: a
     * non-HA VM, say) has its record published again, so that a job that let it go when the host
     * rejoined empty holds it again. A VM is left where it runs, with the reason, when its home
     * host or its current host is down or cut off (a live migration needs both), when a second copy
     * of it runs somewhere (a late restart not yet settled), or when its home lacks the room or the
     * storage domain. Never two copies: the move is one step under the fleet's lock.
     *
     * @throws IllegalArgumentException for an unknown host
     */
    public synchronized Failback failback(String host) {
        known(host);
        List<String> moved = new ArrayList<>();
        List<String> republished = new ArrayList<>();
        Map<String, String> left = new LinkedHashMap<>();
        Outcome homeDown = unreachable(host, "home");
        for (FleetVm v : vmsHomedOn(host)) {
            if (homeDown != null) {
                left.put(v.vm(), homeDown.detail());
            } else if (v.host().equals(host)) {
                if (publisher != null) {
                    publisher.publishVm(v, now());
                }
                republished.add(v.vm());
            } else {
                Outcome o = failbackOne(v, host);
                if (o.status() == Outcome.Status.SUCCEEDED) {
                    moved.add(v.vm());
                } else {
                    left.put(v.vm(), o.detail());
                }
            }
        }
        return new Failback(host, moved, republished, left);
    }

    /** Live-migrates one VM back to its home host, or says why not. Holds the fleet's lock. */
    private Outcome failbackOne(FleetVm v, String home) {
        Set<String> stray = strays.get(v.vm());
        if (stray != null && !stray.isEmpty()) {
            return Outcome.failed("a second copy of " + v.vm() + " runs on " + stray);
        }
        Outcome sourceDown = unreachable(v.host(), "current");
        if (sourceDown != null) {
            return sourceDown;
        }
        FleetHost h = hosts.get(home);
        if (v.storageDomain() != null && !h.storageDomains().contains(v.storageDomain())) {
            return Outcome.failed("home " + home + " has no storage domain " + v.storageDomain());
        }
        Usage used = used(home);
        if (used.cpu() + v.cpu() > h.cpu() || used.memMb() + v.memMb() > h.memMb()) {
            return Outcome.failed("home " + home + " lacks capacity for " + v.vm());
        }
        String from = v.host();
        FleetVm back = v.on(home);
        vms.put(v.vm(), back);
        ledger.vmStopped(v.vm(), from, now());
        ledger.vmStarted(v.vm(), home, now());
        if (publisher != null) {
            publisher.publishVm(back, now());
        }
        return Outcome.succeeded("migrated back from " + from);
    }

    /** Publishes a health sample of the host at once (a predicted failure: {@code pfa} = 1). */
    public synchronized void health(String host, String sensor, double value) {
        known(host);
        if (publisher != null) {
            publisher.publishHealth(host, sensor, value, null, now());
        }
    }

    // ---- operations of the simulated hypervisor, each atomic ----

    synchronized Outcome powerOff(String host) {
        FleetHost h = hosts.get(host);
        if (h == null) {
            return Outcome.failed("unknown host " + host);
        }
        if (!h.bmc()) {
            return Outcome.failed("host " + host + " has no BMC to fence it");
        }
        HostCondition c = conditions.get(host);
        if (!c.bmcAlive) {
            return Outcome.failed("BMC of " + host + " unreachable");
        }
        if (!c.poweredOn) {
            return Outcome.succeeded("already powered off");
        }
        stopAllOn(host);
        c.poweredOn = false;
        publishPower(host);
        return Outcome.succeeded("powered off");
    }

    synchronized Outcome mapDisks(String target, Collection<String> disks) {
        Outcome down = unreachable(target, "target");
        if (down != null) {
            return down;
        }
        conditions.get(target).mappedDisks.addAll(disks);
        return Outcome.succeeded("mapped " + disks.size() + " disks");
    }

    /**
     * Moves a VM from {@code host} to {@code target}: a restart needs its host powered off (never
     * two copies of one VM) and its disks mapped on the target; a live migration needs its host
     * reachable. The move is published on the inventory at once.
     */
    synchronized Outcome move(String vm, String host, String target, boolean live) {
        FleetVm v = vms.get(vm);
        if (v == null) {
            return Outcome.failed("unknown vm " + vm);
        }
        if (v.host().equals(target)) {
            return Outcome.succeeded("already on " + target);
        }
        if (!v.host().equals(host)) {
            return Outcome.failed("vm " + vm + " is on " + v.host() + ", not on " + host);
        }
        if (live) {
            Outcome sourceDown = unreachable(host, "source");
            if (sourceDown != null) {
                return sourceDown;
            }
        } else if (conditions.get(host).poweredOn) {
            return Outcome.failed("host " + host + " is still powered on: fence it first");
        }
        Outcome targetDown = unreachable(target, "target");
        if (targetDown != null) {
            return targetDown;
        }
        FleetHost t = hosts.get(target);
        if (v.storageDomain() != null && !t.storageDomains().contains(v.storageDomain())) {
            return Outcome.failed(
                    "target " + target + " has no storage domain " + v.storageDomain());
        }
        if (!live
                && settings.requireMappedDisks
                && !conditions.get(target).mappedDisks.containsAll(v.disks())) {
            return Outcome.failed("disks of " + vm + " are not mapped on " + target);
        }
        Usage used = used(target);
        if (used.cpu() + v.cpu() > t.cpu() || used.memMb() + v.memMb() > t.memMb()) {
            return Outcome.failed("target " + target + " lacks capacity for " + vm);
        }
        FleetVm moved = v.on(target);
        vms.put(vm, moved);
        ledger.vmStopped(vm, host, now());
        ledger.vmStarted(vm, target, now());
        if (publisher != null) {
            publisher.publishVm(moved, now());
        }
        return Outcome.succeeded((live ? "migrated to " : "restarted on ") + target);
    }

    /**
     * A restart or migration that finishes after its caller gave up on it: as {@link #move} while
     * the VM is still where the call found it; if the VM has meanwhile started elsewhere (a retry),
     * the target's hypervisor, which knows nothing of that, starts its own copy all the same: the
     * second copy a settle must stop.
     */
    synchronized Outcome moveLate(String vm, String host, String target, boolean live) {
        FleetVm v = vms.get(vm);
        if (v == null || v.host().equals(host) || v.host().equals(target)) {
            return move(vm, host, target, live);
        }
        Outcome targetDown = unreachable(target, "target");
        if (targetDown != null) {
            return targetDown;
        }
        strays.computeIfAbsent(vm, k -> new HashSet<>()).add(target);
        ledger.vmStarted(vm, target, now());
        return Outcome.succeeded(
                "started late on " + target + " while it runs on " + v.host() + ": a second copy");
    }

    /**
     * Settles a restart or migration to {@code target} that timed out or failed: stops a copy of
     * the VM it left there. A live migration that completed late moved the VM's only copy: it is
     * left running, and the answer says so (in doubt). A target that does not answer cannot be
     * settled.
     */
    synchronized Outcome settle(String vm, String host, String target, boolean live) {
        HostCondition c = conditions.get(target);
        if (c == null) {
            return Outcome.failed("unknown target host " + target);
        }
        if (!c.poweredOn) {
            return Outcome.succeeded("target " + target + " is powered off: " + vm + " not there");
        }
        if (!c.mgmt) {
            return Outcome.failed("target " + target + " does not answer");
        }
        Set<String> stray = strays.get(vm);
        if (stray != null && stray.remove(target)) {
            ledger.vmStopped(vm, target, now());
            return Outcome.succeeded("started late on " + target + "; stopped there");
        }
        FleetVm v = vms.get(vm);
        if (v != null && v.host().equals(target)) {
            if (live) {
                return Outcome.failed(
                        "migrated late to " + target + "; its only copy, left running there");
            }
            // Back to its failed host, not running: the restart did not happen.
            FleetVm back = v.on(host);
            vms.put(vm, back);
            ledger.vmStopped(vm, target, now());
            if (conditions.get(host) != null && conditions.get(host).poweredOn) {
                ledger.vmStarted(vm, host, now());
            }
            if (publisher != null) {
                publisher.publishVm(back, now());
            }
            return Outcome.succeeded("started late on " + target + "; stopped there");
        }
        return Outcome.succeeded(vm + " not running on " + target);
    }

    /** A host goes off: every copy of a VM on it stops. */
    private void stopAllOn(String host) {
        for (FleetVm v : vms.values()) {
            if (v.host().equals(host)) {
                ledger.vmStopped(v.vm(), host, now());
            }
        }
        strays.forEach(
                (vm, onHosts) -> {
                    if (onHosts.remove(host)) {
                        ledger.vmStopped(vm, host, now());
                    }
                });
    }

    private Outcome unreachable(String host, String role) {
        if (!hosts.containsKey(host)) {
            return Outcome.failed("unknown " + role + " host " + host);
        }
        HostCondition c = conditions.get(host);
        if (!c.poweredOn || !c.mgmt) {
            return Outcome.failed(role + " host " + host + " is down");
        }
        return null;
    }

    // ---- for the publisher, which holds the fleet's lock while it reads and sends ----

    /** Hosts and their conditions; the caller holds the fleet's lock while it reads them. */
    Map<String, FleetHost> hostsLocked() {
        return hosts;
    }

    Map<String, HostCondition> conditionsLocked() {
        return conditions;
    }

    Collection<FleetVm> vmsLocked() {
        return vms.values();
    }

    synchronized void detach(TelemetryPublisher p) {
        if (publisher == p) {
            publisher = null;
        }
    }

    private void publishPower(String host) {
        if (publisher != null && hosts.get(host).bmc()) {
            publisher.publishPower(host, power(host), now());
        }
    }

    private Instant now() {
        return Instant.ofEpochMilli(clock.millis());
    }

    private String known(String host) {
        if (!hosts.containsKey(host)) {
            throw new IllegalArgumentException("unknown host " + host);
        }
        return host;
    }

    /** The changing condition of one host. Guarded by the fleet's lock. */
    static final class HostCondition {
        boolean poweredOn = true;
        boolean bmcAlive = true; // false: the BMC lost its power too (rackBlackout)
        boolean mgmt = true;
        boolean storage = true;
        final Set<String> mappedDisks = new HashSet<>();

        /** What the host's BMC reads: nothing ({@code unknown}) when it has no power itself. */
        PowerState bmcReading() {
            return !bmcAlive ? PowerState.unknown : poweredOn ? PowerState.on : PowerState.off;
        }
    }

    /** Builds a {@link SimulatedFleet}; every setter checks its value. */
    public static final class Builder {
        int hosts = 200;
        int vmsPerHost = 10;
        int clusters = 2;
        int hostsPerRack = 20;
        int racksPerPowerDomain = 2;
        int storageDomainsPerCluster = 2;
        int sparesPerCluster = 2;
        int hostsWithoutBmc = 0;
        double hostCpu = 64;
        double hostMemMb = 262_144;
        List<double[]> vmSizes =
                List.of(
                        new double[] {2, 4_096},
                        new double[] {4, 8_192},
                        new double[] {4, 16_384},
                        new double[] {8, 32_768});
        List<Integer> priorities = List.of(100, 300, 500, 700, 900);
        double nonHaFraction = 0.05;
        int antiAffinityGroupsPerCluster = 5;
        int antiAffinityGroupSize = 3;
        int disksPerVm = 1;
        long seed = 1;
        Clock clock = Clock.systemUTC();
        Duration heartbeatInterval = Duration.ofSeconds(1);
        int beatPhases = 1;
        int powerEveryTicks = 5;
        int healthEveryTicks = 30;
        double healthSampleFraction = 0.1;
        boolean requireMappedDisks = true;
        java.nio.file.Path ledgerFile;

        private Builder() {}

        /**
         * Keeps the ledger in a file (JSON lines), so that it outlives the process: a fleet built
         * again on the same file starts from the entries it holds.
         */
        public Builder ledgerFile(java.nio.file.Path file) {
            this.ledgerFile = java.util.Objects.requireNonNull(file, "file");
            return this;
        }

        public Builder hosts(int n) {
            this.hosts = atLeast(n, 1, "hosts");
            return this;
        }

        /** VMs per host on average: the fleet holds {@code hosts × vmsPerHost} VMs if they fit. */
        public Builder vmsPerHost(int n) {
            this.vmsPerHost = atLeast(n, 0, "vmsPerHost");
            return this;
        }

        public Builder clusters(int n) {
            this.clusters = atLeast(n, 1, "clusters");
            return this;
        }

        public Builder hostsPerRack(int n) {
            this.hostsPerRack = atLeast(n, 1, "hostsPerRack");
            return this;
        }

        public Builder racksPerPowerDomain(int n) {
            this.racksPerPowerDomain = atLeast(n, 1, "racksPerPowerDomain");
            return this;
        }

        public Builder storageDomainsPerCluster(int n) {
            this.storageDomainsPerCluster = atLeast(n, 1, "storageDomainsPerCluster");
            return this;
        }

        /** Reserved failover hosts per cluster: they hold no VMs and take restarts first. */
        public Builder sparesPerCluster(int n) {
            this.sparesPerCluster = atLeast(n, 0, "sparesPerCluster");
            return this;
        }

        /** Hosts (picked by the seed, never spares) without a BMC: they cannot be fenced. */
        public Builder hostsWithoutBmc(int n) {
            this.hostsWithoutBmc = atLeast(n, 0, "hostsWithoutBmc");
            return this;
        }

        public Builder hostCapacity(double cpu, double memMb) {
            if (!(cpu > 0) || !(memMb > 0)) {
                throw new IllegalArgumentException("host capacity must be positive");
            }
            this.hostCpu = cpu;
            this.hostMemMb = memMb;
            return this;
        }

        /** VM sizes to draw from, each {@code {cpu, memMb}}, equally likely. */
        public Builder vmSizes(List<double[]> sizes) {
            if (sizes.isEmpty()
                    || sizes.stream().anyMatch(s -> s.length != 2 || !(s[0] > 0) || !(s[1] > 0))) {
                throw new IllegalArgumentException(
                        "vm sizes must be non-empty {cpu, memMb} pairs > 0");
            }
            this.vmSizes = List.copyOf(sizes);
            return this;
        }

        public Builder priorities(List<Integer> priorities) {
            if (priorities.isEmpty() || priorities.stream().anyMatch(p -> p < 0 || p > 1000)) {
                throw new IllegalArgumentException("priorities must be non-empty, each in 0..1000");
            }
            this.priorities = List.copyOf(priorities);
            return this;
        }

        public Builder nonHaFraction(double f) {
            if (!(f >= 0 && f <= 1)) {
                throw new IllegalArgumentException("nonHaFraction must be in [0, 1], was " + f);
            }
            this.nonHaFraction = f;
            return this;
        }

        public Builder antiAffinityGroups(int perCluster, int size) {
            this.antiAffinityGroupsPerCluster = atLeast(perCluster, 0, "antiAffinityGroups");
            this.antiAffinityGroupSize = atLeast(size, 2, "antiAffinityGroupSize");
            return this;
        }

        public Builder disksPerVm(int n) {
            this.disksPerVm = atLeast(n, 0, "disksPerVm");
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The clock of every timestamp the fleet writes (live mode: the wall clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Time between two rounds of heartbeats. */
        public Builder heartbeatInterval(Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("heartbeatInterval must be positive, was " + d);
            }
            this.heartbeatInterval = d;
            return this;
        }

        /**
         * The hosts beat at this many phases spread over the heartbeat interval, the {@code k}th
         * host (in id order) at phase {@code k mod phases}, as real hosts beat each at its own
         * moment; 1 (the default): every host in one burst each interval. A host's power reading
         * and health samples go out at its phase.
         */
        public Builder beatPhases(int phases) {
            this.beatPhases = atLeast(phases, 1, "beatPhases");
            return this;
        }

        /** A power reading of every host with a BMC every this many heartbeat rounds. */
        public Builder powerEveryTicks(int n) {
            this.powerEveryTicks = atLeast(n, 1, "powerEveryTicks");
            return this;
        }

        /** Health samples of a share of the hosts every this many heartbeat rounds. */
        public Builder healthEveryTicks(int n, double sampleFraction) {
            this.healthEveryTicks = atLeast(n, 1, "healthEveryTicks");
            if (!(sampleFraction >= 0 && sampleFraction <= 1)) {
                throw new IllegalArgumentException("sampleFraction must be in [0, 1]");
            }
            this.healthSampleFraction = sampleFraction;
            return this;
        }

        /** Whether a restart fails unless a map of the VM's disks on the target came first. */
        public Builder requireMappedDisks(boolean require) {
            this.requireMappedDisks = require;
            return this;
        }

        public SimulatedFleet build() {
            if (sparesPerCluster * clusters >= hosts) {
                throw new IllegalArgumentException("spares leave no host for VMs");
            }
            FleetGenerator gen = new FleetGenerator(this);
            List<FleetHost> hs = gen.hosts();
            return new SimulatedFleet(this, hs, gen.vms(hs));
        }

        private static int atLeast(int n, int min, String name) {
            if (n < min) {
                throw new IllegalArgumentException(
                        name + " must be at least " + min + ", was " + n);
            }
            return n;
        }
    }

    static List<String> ids(String prefix, int n) {
        int width = Math.max(2, String.valueOf(n).length());
        List<String> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add(prefix + String.format("%0" + width + "d", i));
        }
        return out;
    }
}
