package io.vmres.connector.sim;

import io.vmres.connector.runtime.Outcome;
import io.vmres.schema.Action;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every operation the simulated fleet ran, in the order they finished: the ground truth that
 * exactly-once checks compare the job's commands and results with. Thread-safe.
 */
public final class Ledger {

  /** One operation: which command asked for it, what it did and how it ended. */
  public record Entry(
      String commandId,
      Action action,
      String host,
      String target,
      String vm,
      List<String> vms,
      Outcome.Status status,
      String detail,
      Instant started,
      Instant finished) {
    public Entry {
      vms = vms == null ? List.of() : List.copyOf(vms);
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  synchronized void add(Entry entry) {
    entries.add(entry);
  }

  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized List<Entry> forCommand(String commandId) {
    return entries.stream().filter(e -> e.commandId().equals(commandId)).toList();
  }

  public synchronized long count(Action action) {
    return entries.stream().filter(e -> e.action() == action).count();
  }

  public synchronized long count(Action action, Outcome.Status status) {
    return entries.stream().filter(e -> e.action() == action && e.status() == status).count();
  }

  /** How many times each command id ran, in the order each first ran. */
  public synchronized Map<String, Integer> runsPerCommand() {
    Map<String, Integer> runs = new LinkedHashMap<>();
    for (Entry e : entries) {
      runs.merge(e.commandId(), 1, Integer::sum);
    }
    return runs;
  }

  /** Command ids that ran more than once: empty when every command ran exactly once. */
  public synchronized Set<String> repeatedCommands() {
    Set<String> out = new TreeSet<>();
    runsPerCommand()
        .forEach(
            (id, n) -> {
              if (n > 1) {
                out.add(id);
              }
            });
    return out;
  }
}
