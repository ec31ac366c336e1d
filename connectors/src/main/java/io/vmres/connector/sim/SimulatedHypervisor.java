package io.vmres.connector.sim;

import io.vmres.connector.runtime.HypervisorConnector;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.schema.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link HypervisorConnector} acting on a {@link SimulatedFleet}: a fence powers the host off, a
 * map of disks makes them usable on the target, a restart or migration moves the VM (and publishes
 * its new place on the inventory). Each call takes a latency drawn from a seeded distribution, then
 * checks and applies its effect in one step, as a real hypervisor would at the end of the call;
 * every call that finishes is written to the fleet's {@link Ledger}.
 *
 * <pre>{@code
 * SimulatedHypervisor hv = SimulatedHypervisor.builder(fleet)
 *     .latency(Action.RESTART_VM, Latency.of(Duration.ofSeconds(4), Duration.ofSeconds(2)))
 *     .seed(7)
 *     .build();
 * hv.failNext(Action.RESTART_VM, 2, "injected"); // the next two restarts fail
 * }</pre>
 */
public final class SimulatedHypervisor implements HypervisorConnector {
    private final SimulatedFleet fleet;
    private final Map<Action, Latency> latencies;
    private final Random random; // guarded by itself
    private final Map<Action, Fault> faults = new EnumMap<>(Action.class); // guarded by itself
    private final Map<Action, Slow> slow = new EnumMap<>(Action.class); // guarded by faults
    private double lateShare; // guarded by faults
    private final Set<String> lateVms = new HashSet<>(); // guarded by faults
    private long lateByMillis; // guarded by faults

    private SimulatedHypervisor(Builder b) {
        this.fleet = b.fleet;
        this.latencies = new EnumMap<>(b.latencies);
        this.random = new Random(b.seed);
    }

    /**
     * Defaults for the demo, a few seconds a call, log-normal around medians of fence 3 s, map 1 s,
     * restart 4 s, migrate 3 s.
     */
    public static Builder builder(SimulatedFleet fleet) {
        return new Builder(fleet);
    }

    /** A hypervisor on the fleet that answers at once: for tests. */
    public static SimulatedHypervisor instant(SimulatedFleet fleet) {
        return builder(fleet).noLatency().build();
    }

    /**
     * Fails the next {@code count} calls of an action (whatever they ask) with the given detail,
     * like a recording's {@code sim-fault}. A later call replaces what is left of an earlier one.
     */
    public void failNext(Action action, int count, String detail) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        synchronized (faults) {
            faults.put(action, new Fault(count, Objects.requireNonNull(detail, "detail")));
        }
    }

    /**
     * Makes the next {@code count} calls of an action slower by {@code extra} (a restart that hangs
     * on a slow storage array, say); a call then outlasting its timeout changes nothing.
     */
    public void slowNext(Action action, int count, Duration extra) {
        if (count < 0 || extra.isNegative()) {
            throw new IllegalArgumentException("count and extra must not be negative");
        }
        synchronized (faults) {
            slow.put(action, new Slow(count, extra.toMillis()));
        }
    }

    /**
     * A fault: a share (0 to 1, drawn from the seeded generator) of restarts and migrations finish
     * {@code by} after their timeout instead of within it, and take effect then, as a libvirt
     * define and start that the connector's watchdog cannot interrupt. Replaces an earlier share.
     */
    public void lateFinish(double share, Duration by) {
        if (!(share >= 0 && share <= 1) || by.isNegative()) {
            throw new IllegalArgumentException("share must be in [0, 1] and by not negative");
        }
        synchronized (faults) {
            lateShare = share;
            lateByMillis = by.toMillis();
        }
    }

    /** The same fault for every restart and migration of the named VMs. */
    public void lateFinish(Collection<String> vms, Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("by must not be negative");
        }
        synchronized (faults) {
            lateVms.clear();
            lateVms.addAll(vms);
            lateByMillis = by.toMillis();
        }
    }

    /**
     * Settles a restart or migration that timed out or failed: stops and undefines the copy of its
     * VM that finished late on the target, if any (see {@link SimulatedFleet#settle}).
     */
    @Override
    public Outcome settle(Request request, Duration timeout) {
        if (request instanceof Request.Restart r) {
            return fleet.settle(r.vm(), r.host(), r.target(), false);
        } else if (request instanceof Request.Migrate m) {
            return fleet.settle(m.vm(), m.host(), m.target(), true);
        }
        return Outcome.succeeded("nothing to settle");
    }

    /**
     * A command in doubt after a connector restart: the ledger is this hypervisor's memory of what
     * it did, so a command it holds is answered from there without running again; one it does not
     * hold never took effect (effect and entry are one step) and runs now.
     */
    @Override
    public Outcome runInDoubt(Request request, Duration timeout) throws InterruptedException {
        java.util.Optional<Ledger.Entry> done = fleet.ledger().last(request.commandId());
        if (done.isPresent()) {
            Ledger.Entry e = done.get();
            return new Outcome(e.status(), "ran before a connector restart: " + e.detail());
        }
        return run(request, timeout);
    }

    public Ledger ledger() {
        return fleet.ledger();
    }

    /** The fleet it acts on. */
    public SimulatedFleet fleet() {
        return fleet;
    }

    @Override
    public Outcome fence(Request.Fence r, Duration timeout) throws InterruptedException {
        return perform(
                Action.FENCE_HOST,
                r.commandId(),
                r.host(),
                null,
                null,
                List.of(),
                timeout,
                () -> fleet.powerOff(r.host()),
                null);
    }

    @Override
    public Outcome mapDisks(Request.MapDisks r, Duration timeout) throws InterruptedException {
        return perform(
                Action.MAP_DISKS,
                r.commandId(),
                r.host(),
                r.target(),
                null,
                r.vms(),
                timeout,
                () -> fleet.mapDisks(r.target(), r.disks()),
                null);
    }

    @Override
    public Outcome restart(Request.Restart r, Duration timeout) throws InterruptedException {
        return perform(
                Action.RESTART_VM,
                r.commandId(),
                r.host(),
                r.target(),
                r.vm(),
                List.of(),
                timeout,
                () -> fleet.move(r.vm(), r.host(), r.target(), false),
                () -> fleet.moveLate(r.vm(), r.host(), r.target(), false));
    }

    @Override
    public Outcome migrate(Request.Migrate r, Duration timeout) throws InterruptedException {
        return perform(
                Action.LIVE_MIGRATE_VM,
                r.commandId(),
                r.host(),
                r.target(),
                r.vm(),
                List.of(),
                timeout,
                () -> fleet.move(r.vm(), r.host(), r.target(), true),
                () -> fleet.moveLate(r.vm(), r.host(), r.target(), true));
    }

    private Outcome perform(
            Action action,
            String commandId,
            String host,
            String target,
            String vm,
            List<String> vms,
            Duration timeout,
            Supplier<Outcome> effect,
            Supplier<Outcome> lateEffect)
            throws InterruptedException {
        Instant started = fleet.clock().instant();
        Outcome outcome = null;
        if (lateEffect != null && vm != null) {
            long lateBy = takeLate(vm);
            if (lateBy >= 0) {
                // Past its timeout, and deaf to the watchdog's interrupt, it takes effect late.
                sleepUninterruptibly(timeout.toMillis() + lateBy);
                Outcome late = lateEffect.get();
                outcome = new Outcome(late.status(), "finished late: " + late.detail());
            }
        }
        if (outcome == null) {
            outcome = inTime(action, timeout, effect);
        }
        fleet.ledger()
                .add(
                        new Ledger.Entry(
                                commandId,
                                action,
                                host,
                                target,
                                vm,
                                vms,
                                outcome.status(),
                                outcome.detail(),
                                started,
                                fleet.clock().instant()));
        return outcome;
    }

    /**
     * A call that is not late: after its drawn latency, its effect or an injected fault, or a
     * timeout if the latency outlasts it.
     */
    private Outcome inTime(Action action, Duration timeout, Supplier<Outcome> effect)
            throws InterruptedException {
        long latency;
        synchronized (random) {
            latency = latencies.getOrDefault(action, Latency.NONE).drawMillis(random);
        }
        latency += takeSlow(action);
        if (latency > timeout.toMillis()) {
            // A call that would outlast its timeout changes nothing: the caller gives up on it.
            TimeUnit.MILLISECONDS.sleep(timeout.toMillis());
            return Outcome.timedOut("simulated " + action + " takes " + latency + " ms");
        }
        if (latency > 0) {
            TimeUnit.MILLISECONDS.sleep(latency);
        }
        String injected = takeFault(action);
        return injected != null ? Outcome.failed(injected) : effect.get();
    }

    /** How long after its timeout a call for this VM finishes, or -1 if it is not late. */
    private long takeLate(String vm) {
        synchronized (faults) {
            if (lateVms.contains(vm)) {
                return lateByMillis;
            }
            if (lateShare <= 0) {
                return -1;
            }
        }
        double draw;
        synchronized (random) {
            draw = random.nextDouble();
        }
        synchronized (faults) {
            return draw < lateShare ? lateByMillis : -1;
        }
    }

    private static void sleepUninterruptibly(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        boolean interrupted = false;
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private String takeFault(Action action) {
        synchronized (faults) {
            Fault f = faults.get(action);
            if (f == null || f.left == 0) {
                return null;
            }
            f.left--;
            return f.detail;
        }
    }

    private long takeSlow(Action action) {
        synchronized (faults) {
            Slow s = slow.get(action);
            if (s == null || s.left == 0) {
                return 0;
            }
            s.left--;
            return s.extraMillis;
        }
    }

    private static final class Slow {
        int left;
        final long extraMillis;

        Slow(int left, long extraMillis) {
            this.left = left;
            this.extraMillis = extraMillis;
        }
    }

    private static final class Fault {
        int left;
        final String detail;

        Fault(int left, String detail) {
            this.left = left;
            this.detail = detail;
        }
    }

    /** Builds a {@link SimulatedHypervisor}: latencies per action and the seed that draws them. */
    public static final class Builder {
        private final SimulatedFleet fleet;
        private final Map<Action, Latency> latencies = new EnumMap<>(Action.class);
        private long seed = 1;

        private Builder(SimulatedFleet fleet) {
            this.fleet = Objects.requireNonNull(fleet, "fleet");
            // Log-normal: calls cluster around the median, with a tail of slow ones.
            latencies.put(Action.FENCE_HOST, Latency.logNormal(Duration.ofSeconds(3), 0.25));
            latencies.put(Action.MAP_DISKS, Latency.logNormal(Duration.ofSeconds(1), 0.4));
            latencies.put(Action.RESTART_VM, Latency.logNormal(Duration.ofSeconds(4), 0.4));
            latencies.put(Action.LIVE_MIGRATE_VM, Latency.logNormal(Duration.ofSeconds(3), 0.3));
        }

        public Builder latency(Action action, Latency latency) {
            latencies.put(Objects.requireNonNull(action), Objects.requireNonNull(latency));
            return this;
        }

        public Builder noLatency() {
            for (Action a : Action.values()) {
                latencies.put(a, Latency.NONE);
            }
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public SimulatedHypervisor build() {
            return new SimulatedHypervisor(this);
        }
    }
}
