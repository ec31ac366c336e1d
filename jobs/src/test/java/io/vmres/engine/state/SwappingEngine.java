package io.vmres.engine.state;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Engine;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.Output;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

/**
 * An engine of a replay that, right after it ran the first instant at or after each cut, goes on
 * with another engine made from it (a checkpoint written and read, a restore from older bytes).
 */
public final class SwappingEngine implements Engine {
    private ClusterEngine engine;
    private final long[] cuts;
    private final UnaryOperator<ClusterEngine> swap;
    private final LongConsumer instants;
    private int next;
    private int swaps;

    /**
     * @param cuts instants in increasing order
     */
    public SwappingEngine(ClusterEngine engine, long[] cuts, UnaryOperator<ClusterEngine> swap) {
        this(engine, cuts, swap, t -> {});
    }

    /**
     * @param instants told every instant the engine runs
     */
    public SwappingEngine(
            ClusterEngine engine,
            long[] cuts,
            UnaryOperator<ClusterEngine> swap,
            LongConsumer instants) {
        this.engine = engine;
        this.cuts = cuts;
        this.swap = swap;
        this.instants = instants;
    }

    /** How many times the engine was swapped. */
    public int swaps() {
        return swaps;
    }

    @Override
    public void advance(long t, List<Event> eventsAtT, Output out) {
        engine.advance(t, eventsAtT, out);
        instants.accept(t);
        boolean due = false;
        while (next < cuts.length && t >= cuts[next]) {
            next++;
            due = true;
        }
        if (due) {
            engine = swap.apply(engine);
            swaps++;
        }
    }

    @Override
    public long nextDue() {
        return engine.nextDue();
    }

    @Override
    public void endOfInput(long lastTs) {
        engine.endOfInput(lastTs);
    }

    @Override
    public void giveUpAtEnd(long endTs, Output out) {
        engine.giveUpAtEnd(endTs, out);
    }

    @Override
    public List<IncidentFigures> figures() {
        return engine.figures();
    }
}
