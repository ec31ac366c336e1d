package io.vmres.engine.recording;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.Output;
import java.util.List;

/**
 * What a replay driver needs of one cluster's decision engine: the {@link ClusterEngine} contract
 * as an interface, so that drivers can be tested against a scripted engine.
 */
public interface ReplayEngine {
    /** See {@link ClusterEngine#advance}: strictly increasing {@code t}, events sorted by seq. */
    void advance(long t, List<Event> eventsAtT, Output out);

    /** See {@link ClusterEngine#nextDue}. */
    long nextDue();

    /** See {@link ClusterEngine#endOfInput}. */
    void endOfInput(long lastTs);

    /** See {@link ClusterEngine#giveUpAtEnd}. */
    void giveUpAtEnd(long endTs, Output out);

    /** See {@link ClusterEngine#figures}. */
    List<IncidentFigures> figures();

    /** The real engine behind this interface. */
    static ReplayEngine of(ClusterEngine engine) {
        return new ReplayEngine() {
            @Override
            public void advance(long t, List<Event> eventsAtT, Output out) {
                engine.advance(t, eventsAtT, out);
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
        };
    }
}
