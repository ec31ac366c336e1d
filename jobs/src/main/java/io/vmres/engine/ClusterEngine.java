package io.vmres.engine;

import io.vmres.engine.event.Event;
import io.vmres.engine.out.Output;
import java.io.Serializable;
import java.util.List;

/**
 * The decisions of one cluster, as a deterministic discrete-event machine over event time: host
 * registry and fleet view, channel-loss detection and batch classification, incidents,
 * placement, execution with in-flight limits and retries, and (in replay) the simulated
 * hypervisor. No Flink types: the Flink operator only buffers input until the watermark passes
 * it and hands it over in (ts, seq) order.
 *
 * <p>Contract of the driver:
 *
 * <ol>
 *   <li>{@link #advance} is called with strictly increasing {@code t}; every input event of
 *       instant {@code t} is handed over in one call, sorted by {@code seq}. Before it handles
 *       them, the engine runs all of its own work due before {@code t} (timers, simulated
 *       answers, command timeouts), instant by instant.
 *   <li>{@link #nextDue()} tells when the engine next has work of its own; the driver calls
 *       {@code advance(nextDue(), List.of())} once nothing of the input precedes it.
 *   <li>{@link #endOfInput(long)} says the recording (or the stream) ended at {@code lastTs}: no
 *       channel loss after it happens. The driver goes on calling {@code advance} until {@code
 *       nextDue()} is {@link Long#MAX_VALUE}.
 *   <li>{@link #giveUpAtEnd(long, Output)} is called once, when every cluster is done, with the
 *       global end time of the replay: VMs still waiting for a dependency are given up then.
 * </ol>
 */
public final class ClusterEngine implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Who answers commands: the engine's own simulated hypervisor, or connectors via results. */
  public enum Hypervisor {
    SIMULATED,
    EXTERNAL
  }

  private final String cluster;
  private final Settings settings;
  private final Hypervisor hypervisor;

  public ClusterEngine(String cluster, Settings settings, Hypervisor hypervisor) {
    this.cluster = cluster;
    this.settings = settings;
    this.hypervisor = hypervisor;
  }

  public String cluster() {
    return cluster;
  }

  /** Runs the engine's own work due before {@code t}, then the input events of {@code t}. */
  public void advance(long t, List<Event> eventsAtT, Output out) {
    throw new UnsupportedOperationException("not yet");
  }

  /** The next instant at which the engine has work of its own, or {@link Long#MAX_VALUE}. */
  public long nextDue() {
    return Long.MAX_VALUE;
  }

  /** The input ended at {@code lastTs}. */
  public void endOfInput(long lastTs) {}

  /** Gives up, at the replay's end time, the VMs still waiting for a dependency. */
  public void giveUpAtEnd(long endTs, Output out) {}

  /** The figures of every incident of this cluster so far, in the order they were opened. */
  public List<IncidentFigures> figures() {
    return List.of();
  }
}
