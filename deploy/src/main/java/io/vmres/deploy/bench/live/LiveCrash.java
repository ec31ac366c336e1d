package io.vmres.deploy.bench.live;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.Ledger;
import io.vmres.schema.Action;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One crash of {@code vmres bench live} as the fleet's ledger tells it: from the crashed hosts'
 * last heartbeat to the last of their VMs running again, beside its floor.
 *
 * @param kind {@code single} or {@code rack}
 * @param vms the HA VMs the crashed hosts ran, which must each be restarted once
 * @param recovered how many of them a successful restart brought back, each exactly once
 * @param measuredS last heartbeat to the last VM running (the ledger's finish of its restart)
 * @param noHops the same calls in the order the job gave them, with no time between a call's end
 *     and the calls it let start ({@link NoHopSchedule})
 * @param jobRecoveryS the job's own {@code recoveryS} of the incident (null if it told none)
 * @param firstCallS last heartbeat to the start of the first call for the hosts (fence or map)
 * @param hopS mean time from the end of the map that carried a VM's disks to the start of its boot:
 *     one result back to the job and its next command out to the connector
 * @param declaredS last heartbeat to the job's declaration read (committed) from its topic
 * @param jobHopS of {@code hopS}: from the end of the map to the boot command read from its topic
 *     (the result back to the job, the job, the checkpoint that commits the command)
 * @param pickupS mean time from a command read from its topic to the start of its call (the
 *     connector's side of a hop)
 */
public record LiveCrash(
        String kind,
        int hosts,
        int vms,
        int recovered,
        boolean exactlyOnce,
        double measuredS,
        LiveFloor floor,
        NoHopSchedule noHops,
        Double jobRecoveryS,
        double firstCallS,
        double hopS,
        double declaredS,
        double jobHopS,
        double pickupS) {

    public double ratio() {
        return measuredS / floor.total();
    }

    public double overFloorS() {
        return measuredS - floor.total();
    }

    /**
     * The crash of {@code hosts}, whose last heartbeats were at {@code lastBeats} (measured from
     * the earliest; a host that beat later is detected that much later, in the floor too).
     */
    static LiveCrash of(
            String kind,
            io.vmres.engine.Settings settings,
            List<String> hosts,
            Set<String> vms,
            Map<String, Instant> lastBeats,
            List<Ledger.Entry> entries,
            Double jobRecoveryS,
            Instant declared,
            Map<String, Instant> commandSeen) {
        Instant lastBeat = lastBeats.values().stream().min(Instant::compareTo).orElseThrow();
        Map<String, Double> detectedAfter = new HashMap<>();
        for (String h : hosts) {
            Instant b = lastBeats.get(h);
            detectedAfter.put(h, b == null ? 0.0 : seconds(lastBeat, b));
        }
        // the calls for these hosts since their last beat: an earlier crash's moves are not theirs
        List<Ledger.Entry> mine =
                entries.stream()
                        .filter(e -> hosts.contains(e.host()) && !e.started().isBefore(lastBeat))
                        .toList();
        Map<String, Integer> restarts = new HashMap<>();
        Map<String, Instant> mapDone = new HashMap<>();
        Instant firstCall = null;
        Instant last = null;
        for (Ledger.Entry e : mine) {
            if (e.action() == Action.FENCE_HOST || e.action() == Action.MAP_DISKS) {
                firstCall =
                        firstCall == null || e.started().isBefore(firstCall)
                                ? e.started()
                                : firstCall;
            }
            if (e.status() != Outcome.Status.SUCCEEDED) {
                continue;
            }
            if (e.action() == Action.MAP_DISKS) {
                for (String vm : e.vms()) {
                    mapDone.merge(
                            vm + "@" + e.target(), e.finished(), (a, b) -> a.isBefore(b) ? a : b);
                }
            } else if (e.action() == Action.RESTART_VM && vms.contains(e.vm())) {
                restarts.merge(e.vm(), 1, Integer::sum);
                last = last == null || e.finished().isAfter(last) ? e.finished() : last;
            }
        }
        double hops = 0;
        int n = 0;
        double jobHops = 0;
        int nJob = 0;
        double pickups = 0;
        int nPickup = 0;
        for (Ledger.Entry e : mine) {
            Instant seen = commandSeen.get(e.commandId());
            if (seen != null) {
                pickups += seconds(seen, e.started());
                nPickup++;
            }
        }
        for (Ledger.Entry e : mine) {
            if (e.action() == Action.RESTART_VM
                    && e.status() == Outcome.Status.SUCCEEDED
                    && vms.contains(e.vm())) {
                Instant ready = mapDone.get(e.vm() + "@" + e.target());
                if (ready != null) {
                    hops += seconds(ready, e.started());
                    n++;
                    Instant seen = commandSeen.get(e.commandId());
                    if (seen != null) {
                        jobHops += seconds(ready, seen);
                        nJob++;
                    }
                }
            }
        }
        boolean once = restarts.values().stream().allMatch(c -> c == 1);
        LiveFloor floor = LiveFloor.of(settings, detectedAfter, vms, mine);
        return new LiveCrash(
                kind,
                hosts.size(),
                vms.size(),
                restarts.size(),
                once,
                last == null ? Double.NaN : seconds(lastBeat, last),
                floor,
                NoHopSchedule.of(settings, floor, detectedAfter, vms, mine),
                jobRecoveryS,
                firstCall == null ? Double.NaN : seconds(lastBeat, firstCall),
                n == 0 ? Double.NaN : hops / n,
                declared == null ? Double.NaN : seconds(lastBeat, declared),
                nJob == 0 ? Double.NaN : jobHops / nJob,
                nPickup == 0 ? Double.NaN : pickups / nPickup);
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
