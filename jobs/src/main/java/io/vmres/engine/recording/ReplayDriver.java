package io.vmres.engine.recording;

import io.vmres.engine.Engine;
import io.vmres.engine.EngineDriver;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Settings;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.Output;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Drives one engine per cluster key over event time, as the engine contract asks: input is buffered
 * until the watermark passes it, then routed and handed over in (ts, seq) order, one {@code
 * advance} per instant, interleaved with each engine's own {@code nextDue()} instants; an engine
 * never sees an instant earlier than one it has seen.
 *
 * <p>Events are routed when they are released, in (ts, seq) order rather than in line order: a
 * host's cluster is then that of its record valid at the event's ts, so an event written before its
 * host's record, but later in time, still reaches the host's cluster.
 *
 * <p>Usage: {@link #offer} events as they are read, {@link #watermark} whenever the watermark
 * moves, {@link #finish} after the last line, then {@link #giveUpAtEnd}.
 */
public final class ReplayDriver {
    private final Settings settings;
    private final BiFunction<String, Settings, Engine> factory;
    private final Function<Event, List<ClusterRouter.Delivery>> router;
    private final ReplayOutputs outputs;
    private final Map<String, EngineState> engines = new TreeMap<>();

    /** Engines with work of their own, by (due, cluster). */
    private final TreeSet<EngineState> dues =
            new TreeSet<>(
                    Comparator.comparingLong((EngineState s) -> s.due)
                            .thenComparing(s -> s.cluster));

    private final PriorityQueue<Pending> buffer =
            new PriorityQueue<>(
                    Comparator.comparingLong(Pending::ts)
                            .thenComparingLong(Pending::seq)
                            .thenComparingLong(Pending::arrival));
    private long arrivals;
    private long released = Long.MIN_VALUE;
    private boolean finished;

    /**
     * @param router the deliveries of an event, usually {@link ClusterRouter#route}
     * @param factory makes the engine of a cluster key on its first input
     * @param outputs where each engine writes ({@link ReplayOutputs#forCluster})
     */
    public ReplayDriver(
            Settings settings,
            Function<Event, List<ClusterRouter.Delivery>> router,
            BiFunction<String, Settings, Engine> factory,
            ReplayOutputs outputs) {
        this.settings = settings;
        this.router = router;
        this.factory = factory;
        this.outputs = outputs;
    }

    /** Buffers one valid, on-time event until the watermark passes its ts. */
    public void offer(Event e) {
        if (finished) {
            throw new IllegalStateException("input after the end of input");
        }
        buffer.add(new Pending(e.ts(), e.seq(), arrivals++, e));
    }

    /**
     * Every input still to come has {@code ts >= watermark}: every instant before it is complete,
     * so its input and the engines' own work before it run now.
     */
    public void watermark(long watermark) {
        if (watermark > released) {
            runBefore(watermark);
            released = watermark;
        }
    }

    /**
     * The input ended; {@code lastTs} is the latest on-time event ts (null without any event).
     * Hands over what is buffered, tells every engine, then runs each engine's own work until none
     * is left.
     */
    public void finish(Long lastTs) {
        finished = true;
        if (lastTs == null) {
            if (!buffer.isEmpty()) {
                throw new IllegalStateException("events buffered but no last event time");
            }
            return;
        }
        // Work due after lastTs waits for endOfInput: no channel is lost after the recording ends.
        runBefore(lastTs + 1);
        if (!buffer.isEmpty()) {
            throw new IllegalStateException("an event after the last event time " + lastTs);
        }
        for (EngineState s : engines.values()) {
            dues.remove(s);
            s.driver.endOfInput(lastTs);
            s.refreshDue();
        }
        runBefore(Long.MAX_VALUE);
    }

    /** Gives every engine the replay's end time, once all are done. */
    public void giveUpAtEnd(long endTs) {
        for (EngineState s : engines.values()) {
            s.driver.engine().giveUpAtEnd(endTs, s.driver.out());
        }
    }

    /** Each cluster's incident figures, by cluster key. */
    public Map<String, List<IncidentFigures>> figures() {
        Map<String, List<IncidentFigures>> m = new LinkedHashMap<>();
        engines.forEach((k, s) -> m.put(k, s.driver.engine().figures()));
        return m;
    }

    /** The cluster keys with an engine, sorted. */
    public List<String> clusters() {
        return List.copyOf(engines.keySet());
    }

    /** Runs, instant by instant, all input and engine work before {@code limit}. */
    private void runBefore(long limit) {
        while (true) {
            long tIn = buffer.isEmpty() ? Long.MAX_VALUE : buffer.peek().ts();
            long tDue = dues.isEmpty() ? Long.MAX_VALUE : dues.first().due;
            long t = Math.min(tIn, tDue);
            if (t >= limit || t == Long.MAX_VALUE) {
                return;
            }
            if (tIn == t) {
                // Per cluster, per instant: a cluster seen for the first time also gets earlier
                // sim-faults, at their own (earlier) instants.
                Map<String, TreeMap<Long, List<Event>>> batch = new TreeMap<>();
                while (!buffer.isEmpty() && buffer.peek().ts() == t) {
                    for (ClusterRouter.Delivery d : router.apply(buffer.poll().event())) {
                        batch.computeIfAbsent(d.cluster(), k -> new TreeMap<>())
                                .computeIfAbsent(d.event().ts(), k -> new ArrayList<>())
                                .add(d.event());
                    }
                }
                for (Map.Entry<String, TreeMap<Long, List<Event>>> c : batch.entrySet()) {
                    // Only a new engine gets earlier instants; work they make due comes in
                    // between.
                    engine(c.getKey()).run(c.getValue(), c.getValue().lastKey());
                }
            }
            while (!dues.isEmpty() && dues.first().due == t) {
                dues.first().advance(t, List.of());
            }
        }
    }

    private EngineState engine(String cluster) {
        EngineState s = engines.get(cluster);
        if (s == null) {
            s =
                    new EngineState(
                            cluster, factory.apply(cluster, settings), outputs.forCluster(cluster));
            engines.put(cluster, s);
        }
        return s;
    }

    private record Pending(long ts, long seq, long arrival, Event event) {}

    /** An engine's driver and when the engine next has work of its own. */
    private final class EngineState {
        final String cluster;
        final EngineDriver driver;
        long due = Long.MAX_VALUE;

        EngineState(String cluster, Engine engine, Output out) {
            this.cluster = cluster;
            this.driver = new EngineDriver(cluster, engine, out);
        }

        void advance(long t, List<Event> events) {
            dues.remove(this);
            driver.advance(t, events);
            refreshDue();
        }

        /** Every instant up to {@code limit}: the input held, the engine's own work between. */
        void run(TreeMap<Long, List<Event>> held, long limit) {
            dues.remove(this);
            driver.runUntil(held, limit);
            refreshDue();
        }

        void refreshDue() {
            due = driver.nextDue();
            if (due != Long.MAX_VALUE) {
                dues.add(this);
            }
        }
    }
}
