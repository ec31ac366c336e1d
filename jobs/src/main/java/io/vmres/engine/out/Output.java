package io.vmres.engine.out;

/** Where a cluster engine's decisions go, in the order they are taken. */
public interface Output {
  void command(CommandOut command);

  void result(ResultOut result);

  void incident(IncidentOut incident);

  void alert(AlertOut alert);

  /** The admission view changed (not a replay output: replay files ignore it). */
  default void admission(AdmissionOut admission) {}
}
