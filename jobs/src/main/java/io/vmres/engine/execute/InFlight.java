package io.vmres.engine.execute;

import java.io.Serializable;
import java.util.TreeMap;

/** The commands of a cluster in flight, counted per target and in all (spec: In-flight limits). */
public final class InFlight implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TreeMap<String, Command> commands = new TreeMap<>();
    private final TreeMap<String, Integer> perTarget = new TreeMap<>();
    private int total;

    /** A command to the target (null: none) may go within the limits. */
    public boolean canIssue(String target, int clusterLimit, int targetLimit) {
        if (total >= clusterLimit) {
            return false;
        }
        return target == null || perTarget.getOrDefault(target, 0) < targetLimit;
    }

    void add(Command c) {
        commands.put(c.id(), c);
        if (c.target() != null) {
            perTarget.merge(c.target(), 1, Integer::sum);
        }
        total++;
    }

    /** The commands in flight now, over every target. */
    public int size() {
        return total;
    }

    /** The command in flight with that id, or null (answered already, or unknown). */
    public Command get(String id) {
        return commands.get(id);
    }

    void remove(Command c) {
        commands.remove(c.id());
        if (c.target() != null) {
            perTarget.merge(c.target(), -1, Integer::sum);
        }
        total--;
    }
}
