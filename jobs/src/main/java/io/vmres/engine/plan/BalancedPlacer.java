package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Places the VMs of one planning round against one capacity ledger (see docs/planning.md).
 *
 * <ol>
 *   <li>Order: by effective priority (a VM's own, raised to that of any VM of the round that
 *       depends on it, so a dependency is placed before its dependents), then priority, then id.
 *   <li>Greedy: each VM to the first valid target in the ledger's order (spares first for
 *       restarts, then the fewest VMs planned or in flight to it over the whole round, then the
 *       fewest prestaged placements, the most room, the lowest id), reserved at once. A VM no valid
 *       target holds is unplaced.
 *   <li>Balance: while every VM of the round is placed, a VM on a most loaded target moves to a
 *       target of the same kind (spare or not) at least two VMs lighter where it fits, until none
 *       can; this lowers the round's makespan (its most loaded target).
 * </ol>
 *
 * <p>Deterministic: the same ledger and requests give the same placements.
 */
public final class BalancedPlacer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The outcome of a round: vm -> target in placement order, and the VMs left unplaced. */
  public record Result(LinkedHashMap<String, String> targets, List<String> unplaced)
      implements Serializable {

    /** The largest number of VMs sent to one target by this round. */
    public int maxPerTarget() {
      Map<String, Integer> n = new HashMap<>();
      int max = 0;
      for (String t : targets.values()) {
        max = Math.max(max, n.merge(t, 1, Integer::sum));
      }
      return max;
    }
  }

  /**
   * Places the moves; with {@code commit} the reservations stay in the ledger, otherwise the ledger
   * is left as it was.
   */
  public Result place(Ledger ledger, List<VmMove> moves, Exclusions x, boolean commit) {
    List<VmMove> order = order(moves);
    LinkedHashMap<String, String> targets = new LinkedHashMap<>();
    List<String> unplaced = new ArrayList<>();
    Map<String, VmMove> byVm = new HashMap<>();
    for (VmMove m : order) {
      byVm.put(m.vm().id(), m);
      PlanHost best = null;
      for (PlanHost h : ledger.targets()) {
        if (Ledger.fits(h, m, x)) {
          best = h;
          break;
        }
      }
      if (best == null) {
        unplaced.add(m.vm().id());
      } else {
        ledger.reserve(best.id, m.vm());
        targets.put(m.vm().id(), best.id);
      }
    }
    if (unplaced.isEmpty() && targets.size() > 1) {
      balance(ledger, order, targets, x);
    }
    if (!commit) {
      targets.forEach((vm, t) -> ledger.release(t, vm));
    }
    return new Result(targets, unplaced);
  }

  /** The round's order: effective priority, priority, id (all descending but the id). */
  static List<VmMove> order(List<VmMove> moves) {
    Map<String, Integer> eff = new HashMap<>();
    Map<String, VmMove> byId = new HashMap<>();
    boolean deps = false;
    for (VmMove m : moves) {
      eff.put(m.vm().id(), m.vm().priority());
      byId.put(m.vm().id(), m);
      deps |= !m.vm().dependsOn().isEmpty();
    }
    // raise each dependency to its dependents' level; at most |moves| passes (cycles settle)
    for (int pass = 0; deps && pass < moves.size(); pass++) {
      boolean changed = false;
      for (VmMove m : moves) {
        int p = eff.get(m.vm().id());
        for (String d : m.vm().dependsOn()) {
          Integer pd = eff.get(d);
          if (pd != null && pd < p && byId.containsKey(d)) {
            eff.put(d, p);
            changed = true;
          }
        }
      }
      if (!changed) {
        break;
      }
    }
    List<VmMove> order = new ArrayList<>(moves);
    order.sort(
        Comparator.<VmMove>comparingInt(m -> -eff.get(m.vm().id()))
            .thenComparingInt(m -> -m.vm().priority())
            .thenComparing(m -> m.vm().id()));
    return order;
  }

  private static void balance(
      Ledger ledger, List<VmMove> order, LinkedHashMap<String, String> targets, Exclusions x) {
    boolean restartOnNonSpare = false;
    for (VmMove m : order) {
      if (m.restart() && !ledger.host(targets.get(m.vm().id())).spare) {
        restartOnNonSpare = true;
        break;
      }
    }
    // moving a VM off a spare could leave room there for a restart placed on a non-spare
    boolean spareMoves = !restartOnNonSpare;
    for (int round = 0; round < 4 * order.size(); round++) {
      int max = 0;
      TreeSet<String> used = new TreeSet<>(targets.values());
      for (String t : used) {
        max = Math.max(max, ledger.host(t).inbound);
      }
      if (max <= 1) {
        return;
      }
      boolean moved = false;
      // the last placed (lowest order) first
      for (int i = order.size() - 1; i >= 0 && !moved; i--) {
        VmMove m = order.get(i);
        PlanHost from = ledger.host(targets.get(m.vm().id()));
        if (from.inbound != max || (from.spare && !spareMoves)) {
          continue;
        }
        ledger.release(from.id, m.vm().id());
        PlanHost to = null;
        for (PlanHost h : ledger.targets()) {
          if (h.spare != from.spare) {
            if (from.spare) {
              break; // spares come first: no spare left
            }
            continue;
          }
          if (h.inbound > max - 2) {
            if (h.spare == from.spare) {
              break; // ordered by load within a kind
            }
            continue;
          }
          if (Ledger.fits(h, m, x)) {
            to = h;
            break;
          }
        }
        if (to == null) {
          ledger.reserve(from.id, m.vm());
        } else {
          ledger.reserve(to.id, m.vm());
          targets.put(m.vm().id(), to.id);
          moved = true;
        }
      }
      if (!moved) {
        return;
      }
    }
  }
}
