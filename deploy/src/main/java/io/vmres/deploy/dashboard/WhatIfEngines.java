package io.vmres.deploy.dashboard;

import io.vmres.deploy.commands.Plan;
import io.vmres.deploy.whatif.WhatIfQuestion;
import io.vmres.engine.ClusterEngine;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.recording.ClusterRouter;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The cluster engines the dashboard's what-if questions are asked of: a replay's own engines
 * ({@link PacedReplay}), or engines the dashboard keeps fed from the input topics ({@link
 * WhatIfFeed}). Whoever feeds them holds them while an instant runs; a question takes them only
 * between instants, when every event up to {@link #at} is applied, the state {@code vmres whatif}
 * reads up to that time.
 */
public final class WhatIfEngines {
    /** Fair: a waiting question goes before the feeder's next instant. */
    private final ReentrantLock lock = new ReentrantLock(true);

    private final TreeMap<String, ClusterEngine> engines = new TreeMap<>();
    private long at = Long.MIN_VALUE; // guarded by lock

    /** The clusters' hosts, racks and power domains a question may name, at {@link #at}. */
    public record Choices(long at, List<ClusterChoices> clusters) {}

    /** One cluster's registered hosts, racks and power domains, sorted. */
    public record ClusterChoices(
            String cluster, List<String> hosts, List<String> racks, List<String> powerDomains) {}

    // ------------------------------------------------------------ the feeder's side

    /** The feeder takes the engines for the instants it runs now. */
    void hold() {
        lock.lock();
    }

    /**
     * The feeder gives the engines back with every instant up to {@code complete} applied (its
     * latest, when it only moved past what it ran before).
     */
    void release(long complete) {
        try {
            if (complete > at) {
                at = complete;
            }
        } finally {
            lock.unlock();
        }
    }

    /** No engines and no fleet state: the feeder starts over. */
    void reset() {
        lock.lock();
        try {
            engines.clear();
            at = Long.MIN_VALUE;
        } finally {
            lock.unlock();
        }
    }

    /** A cluster's engine, made by the feeder while it holds the engines. */
    void add(String cluster, ClusterEngine engine) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("an engine is added only while held");
        }
        // the events of hosts never registered have an engine of their own, with no fleet
        if (!ClusterRouter.UNKNOWN.equals(cluster)) {
            engines.put(cluster, engine);
        }
    }

    // ------------------------------------------------------------ the questions' side

    /**
     * Asks {@code failures} of the engines at their latest complete instant.
     *
     * @return null when there is no fleet state yet (no engine, or no instant complete)
     * @throws TimeoutException when the feeder did not give the engines back within {@code wait}
     */
    public WhatIfAnswer ask(List<Failure> failures, Duration wait)
            throws TimeoutException, InterruptedException {
        return withEngines(wait, state -> WhatIfQuestion.ask(state, failures));
    }

    /** The hosts, racks and power domains a question may name; null without a fleet state. */
    public Choices choices(Duration wait) throws TimeoutException, InterruptedException {
        return withEngines(
                wait,
                state -> {
                    List<ClusterChoices> list = new ArrayList<>();
                    state.engines().forEach((cluster, e) -> list.add(choices(cluster, e.fleet())));
                    return new Choices(state.at(), list);
                });
    }

    private static ClusterChoices choices(String cluster, Fleet fleet) {
        TreeSet<String> hosts = new TreeSet<>();
        TreeSet<String> racks = new TreeSet<>();
        TreeSet<String> pds = new TreeSet<>();
        for (HostState hs : fleet.hosts().values()) {
            if (fleet.registeredHere(hs)) {
                hosts.add(hs.record().host());
                if (hs.record().rack() != null) {
                    racks.add(hs.record().rack());
                }
                if (hs.record().powerDomain() != null) {
                    pds.add(hs.record().powerDomain());
                }
            }
        }
        return new ClusterChoices(
                cluster, List.copyOf(hosts), List.copyOf(racks), List.copyOf(pds));
    }

    private <T> T withEngines(Duration wait, Function<Plan.Engines, T> question)
            throws TimeoutException, InterruptedException {
        if (!lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException(
                    "the fleet state was busy for " + wait.toMillis() + " ms: ask again");
        }
        try {
            if (engines.isEmpty() || at == Long.MIN_VALUE) {
                return null;
            }
            return question.apply(new Plan.Engines(at, new TreeMap<>(engines), 0, 0, at));
        } finally {
            lock.unlock();
        }
    }
}
