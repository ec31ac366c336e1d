package io.vmres.engine.whatif;

import io.vmres.engine.Settings;
import io.vmres.engine.execute.Action;
import io.vmres.engine.sim.SimHypervisor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The execution model of a what-if: the executor's order and in-flight limits (spec: Execution)
 * with the simulated hypervisor's latencies, run in event time over the placed VMs alone. Per
 * instant, as the engine: the rounds of the instant, issue; the answers of the instant, issue
 * again. Issuing takes disk maps first (one per incident, failed host and target, the groups of
 * highest priority first), then restarts by priority, each within {@code maxInFlightPerTarget} on
 * its target and {@code maxInFlightPerCluster} in all; a VM waits for its dependencies that are
 * restarted too.
 */
final class RecoveryModel {
    private final Settings settings;
    private final long mapMs = SimHypervisor.latency(Action.MAP_DISKS);
    private final long restartMs = SimHypervisor.latency(Action.RESTART_VM);

    /** A placed VM on its way back. */
    static final class Job {
        final String vm;
        final String incident;
        final String source;
        final String target;
        final int priority;
        final boolean disks;
        final Set<String> waitsFor;
        final long placedAt;
        Long mapAt;
        long restartAt = -1;
        long recoveredAt = -1;
        State state = State.WAITING;

        Job(
                String vm,
                String incident,
                String source,
                String target,
                int priority,
                boolean disks,
                Set<String> waitsFor,
                long placedAt) {
            this.vm = vm;
            this.incident = incident;
            this.source = source;
            this.target = target;
            this.priority = priority;
            this.disks = disks;
            this.waitsFor = waitsFor;
            this.placedAt = placedAt;
        }
    }

    enum State {
        WAITING,
        PLACED,
        MAPPING,
        READY,
        RESTARTING,
        RECOVERED
    }

    private final TreeMap<String, Integer> perTarget = new TreeMap<>();
    private int total;

    /** answer instant -> what answers then: a map (its jobs) or a restart (its one job). */
    private final TreeMap<Long, List<List<Job>>> answers = new TreeMap<>();

    private final Map<String, Job> byVm = new HashMap<>();

    RecoveryModel(Settings settings) {
        this.settings = settings;
    }

    /** Runs every job to its recovery; fills in their instants. */
    void run(List<Job> jobs) {
        TreeMap<Long, List<Job>> rounds = new TreeMap<>();
        for (Job j : jobs) {
            rounds.computeIfAbsent(j.placedAt, k -> new ArrayList<>()).add(j);
            byVm.put(j.vm, j);
        }
        while (!rounds.isEmpty() || !answers.isEmpty()) {
            long t =
                    Math.min(
                            rounds.isEmpty() ? Long.MAX_VALUE : rounds.firstKey(),
                            answers.isEmpty() ? Long.MAX_VALUE : answers.firstKey());
            List<Job> placed = rounds.remove(t);
            if (placed != null) {
                placed.forEach(j -> j.state = State.PLACED);
            }
            pump(t);
            List<List<Job>> due = answers.remove(t);
            if (due != null) {
                for (List<Job> done : due) {
                    answer(done, t);
                }
                pump(t);
            }
        }
    }

    private void answer(List<Job> done, long t) {
        Job first = done.get(0);
        total--;
        perTarget.merge(first.target, -1, Integer::sum);
        for (Job j : done) {
            if (j.state == State.MAPPING) {
                j.state = State.READY;
            } else if (j.state == State.RESTARTING) {
                j.state = State.RECOVERED;
                j.recoveredAt = t;
            }
        }
    }

    private boolean canIssue(String target) {
        return total < settings.maxInFlightPerCluster()
                && perTarget.getOrDefault(target, 0) < settings.maxInFlightPerTarget();
    }

    private void issue(List<Job> jobs, long t, long latency) {
        total++;
        perTarget.merge(jobs.get(0).target, 1, Integer::sum);
        answers.computeIfAbsent(t + latency, k -> new ArrayList<>()).add(jobs);
    }

    private void pump(long t) {
        boolean progress = true;
        while (progress) {
            progress = issueMaps(t);
            progress |= issueRestarts(t);
        }
    }

    private boolean issueMaps(long t) {
        boolean progress = false;
        TreeMap<String, List<Job>> groups = new TreeMap<>();
        for (Job j : byVm.values()) {
            if (j.state != State.PLACED) {
                continue;
            }
            if (!j.disks) {
                j.state = State.READY;
                progress = true;
            } else {
                groups.computeIfAbsent(
                                j.incident + "|" + j.source + "|" + j.target,
                                k -> new ArrayList<>())
                        .add(j);
            }
        }
        List<List<Job>> order = new ArrayList<>(groups.values());
        order.sort(Comparator.comparingInt((List<Job> g) -> -maxPriority(g)));
        for (List<Job> g : order) {
            if (!canIssue(g.get(0).target)) {
                continue;
            }
            for (Job j : g) {
                j.state = State.MAPPING;
                j.mapAt = t;
            }
            issue(g, t, mapMs);
            progress = true;
        }
        return progress;
    }

    private static int maxPriority(List<Job> g) {
        int p = 0;
        for (Job j : g) {
            p = Math.max(p, j.priority);
        }
        return p;
    }

    private boolean issueRestarts(long t) {
        boolean progress = false;
        List<Job> ready = new ArrayList<>();
        for (Job j : byVm.values()) {
            if (j.state == State.READY) {
                ready.add(j);
            }
        }
        ready.sort(
                Comparator.comparingInt((Job j) -> -j.priority)
                        .thenComparing(j -> j.vm)
                        .thenComparing(j -> j.incident));
        for (Job j : ready) {
            if (waiting(j) || !canIssue(j.target)) {
                continue;
            }
            j.state = State.RESTARTING;
            j.restartAt = t;
            issue(List.of(j), t, restartMs);
            progress = true;
        }
        return progress;
    }

    /** A dependency restarted too is not running yet. */
    private boolean waiting(Job j) {
        for (String d : j.waitsFor) {
            Job dj = byVm.get(d);
            if (dj != null && dj.state != State.RECOVERED) {
                return true;
            }
        }
        return false;
    }
}
