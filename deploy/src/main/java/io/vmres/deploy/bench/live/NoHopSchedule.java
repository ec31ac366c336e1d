package io.vmres.deploy.bench.live;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.Ledger;
import io.vmres.engine.Settings;
import io.vmres.schema.Action;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a live recovery would have taken in the order the job gave its calls, had no time at all
 * passed between a call's end and the calls it let start: a list schedule of the successful maps
 * and boots the fleet ran, each of its drawn duration, in the order the calls started, each started
 * as soon as it may (its host detected, its VM's disks mapped, a slot of its target and of the
 * cluster free), a later call passing one that may not start yet.
 *
 * <p>It lies between the floor ({@link LiveFloor}), which knows every duration in advance, and the
 * measured recovery, which also holds each slot for the hops of a command and its result: what the
 * job's own order costs beyond the floor, with no transport at all. Its terms are those of the
 * floor: detection and fence, then the schedule.
 *
 * @param maps the last boot's end, from the first host's detection
 */
public record NoHopSchedule(double detection, double fence, double maps) {

    public double total() {
        return detection + fence + maps;
    }

    /**
     * The schedule without hops of the calls {@code floor} was taken from ({@link
     * LiveFloor#of(Settings, Map, Set, List)} with the same arguments): its detection and fence are
     * the floor's.
     */
    public static NoHopSchedule of(
            Settings s,
            LiveFloor floor,
            Map<String, Double> detectedAfter,
            Set<String> vms,
            List<Ledger.Entry> entries) {
        List<Call> calls = new ArrayList<>();
        for (Ledger.Entry e : entries) {
            Double after = detectedAfter.get(e.host());
            if (e.status() == Outcome.Status.SUCCEEDED
                    && after != null
                    && (e.action() == Action.MAP_DISKS
                            || (e.action() == Action.RESTART_VM && vms.contains(e.vm())))) {
                calls.add(new Call(e, after));
            }
        }
        calls.sort(Comparator.comparing(c -> c.entry.started()));
        return new NoHopSchedule(floor.detection(), floor.fence(), run(s, calls));
    }

    /** Runs the calls in their order; returns the end of the last boot (0 without boots). */
    private static double run(Settings s, List<Call> calls) {
        // a VM's disks on a target: mapped when the first map that carried them ends
        Map<String, List<Call>> mapsOf = new HashMap<>();
        for (Call c : calls) {
            if (c.entry.action() == Action.MAP_DISKS) {
                for (String vm : c.entry.vms()) {
                    mapsOf.computeIfAbsent(vm + "@" + c.entry.target(), k -> new ArrayList<>())
                            .add(c);
                }
            }
        }
        Map<String, Integer> perTarget = new HashMap<>();
        List<Call> running = new ArrayList<>();
        List<Call> waiting = new ArrayList<>(calls);
        double now = 0;
        double lastBoot = 0;
        while (!waiting.isEmpty() || !running.isEmpty()) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Call c = it.next();
                String target = c.entry.target();
                if (running.size() >= s.maxInFlightPerCluster()) {
                    break;
                }
                if (perTarget.getOrDefault(target, 0) >= s.maxInFlightPerTarget()
                        || ready(c, mapsOf) > now) {
                    continue;
                }
                c.end = now + LiveFloor.seconds(c.entry);
                running.add(c);
                perTarget.merge(target, 1, Integer::sum);
                it.remove();
            }
            // the next moment anything may change: a call ends, or a waiting call becomes ready
            double next = Double.MAX_VALUE;
            for (Call c : running) {
                next = Math.min(next, c.end);
            }
            for (Call c : waiting) {
                double r = ready(c, mapsOf);
                if (r > now && r < Double.MAX_VALUE) {
                    next = Math.min(next, r);
                }
            }
            if (next == Double.MAX_VALUE) {
                break; // nothing runs and nothing waiting can ever start: boots of unmapped VMs
            }
            now = next;
            for (var it = running.iterator(); it.hasNext(); ) {
                Call c = it.next();
                if (c.end <= now) {
                    it.remove();
                    perTarget.merge(c.entry.target(), -1, Integer::sum);
                    if (c.entry.action() == Action.RESTART_VM) {
                        lastBoot = Math.max(lastBoot, c.end);
                    }
                }
            }
        }
        return lastBoot;
    }

    /**
     * When {@code c} may start: its host's detection, and for a boot the end of the first map that
     * carried its disks (a boot with no such map: its detection; a map not yet ended: never yet).
     */
    private static double ready(Call c, Map<String, List<Call>> mapsOf) {
        if (c.entry.action() != Action.RESTART_VM) {
            return c.detected;
        }
        List<Call> maps = mapsOf.get(c.entry.vm() + "@" + c.entry.target());
        if (maps == null) {
            return c.detected;
        }
        double mapped = Double.MAX_VALUE;
        for (Call m : maps) {
            if (!Double.isNaN(m.end)) {
                mapped = Math.min(mapped, m.end);
            }
        }
        return Math.max(c.detected, mapped);
    }

    /** A call of the ledger, with when its host was detected and, once started, when it ends. */
    private static final class Call {
        final Ledger.Entry entry;
        final double detected;
        double end = Double.NaN;

        Call(Ledger.Entry entry, double detected) {
            this.entry = entry;
            this.detected = detected;
        }
    }
}
