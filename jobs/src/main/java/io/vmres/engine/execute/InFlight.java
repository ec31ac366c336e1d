package io.vmres.engine.execute;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
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

    /** Writes the commands in flight and their counts (see {@code EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeMap(commands, Command::write);
        out.writeMap(perTarget, (n, o) -> o.writeInt(n));
        out.writeInt(total);
    }

    public static InFlight read(StateInput in) throws IOException {
        InFlight f = new InFlight();
        in.readMap(f.commands, Command::read);
        in.readMap(f.perTarget, StateInput::readInt);
        f.total = in.readInt();
        return f;
    }
}
