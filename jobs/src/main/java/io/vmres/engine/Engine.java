package io.vmres.engine;

import io.vmres.engine.event.Event;
import io.vmres.engine.out.Output;
import java.util.List;

/**
 * The contract of one cluster's decision engine with its driver ({@link EngineDriver}), so that
 * drivers can also run a scripted engine in tests.
 *
 * <ol>
 *   <li>{@link #advance} is called with strictly increasing {@code t}; every input event of instant
 *       {@code t} is handed over in one call, sorted by {@code seq}. Before it handles them, the
 *       engine runs all of its own work due before {@code t} (timers, simulated answers, command
 *       timeouts), instant by instant.
 *   <li>{@link #nextDue()} tells when the engine next has work of its own; the driver calls {@code
 *       advance(nextDue(), List.of())} once nothing of the input precedes it.
 *   <li>{@link #endOfInput(long)} says the recording (or the stream) ended at {@code lastTs}: no
 *       channel loss after it happens. The driver goes on calling {@code advance} until {@code
 *       nextDue()} is {@link Long#MAX_VALUE}.
 *   <li>{@link #giveUpAtEnd(long, Output)} is called once, when every cluster is done, with the
 *       global end time of the replay: VMs still waiting for a dependency are given up then.
 * </ol>
 */
public interface Engine {
    /** Runs the engine's own work due before {@code t}, then the input events of {@code t}. */
    void advance(long t, List<Event> eventsAtT, Output out);

    /** The next instant at which the engine has work of its own, or {@link Long#MAX_VALUE}. */
    long nextDue();

    /** The input ended at {@code lastTs}. */
    void endOfInput(long lastTs);

    /** Gives up, at the replay's end time, the VMs still waiting for a dependency. */
    void giveUpAtEnd(long endTs, Output out);

    /** The figures of every incident of this cluster so far, in the order they were opened. */
    List<IncidentFigures> figures();
}
