package io.vmres.engine.execute;

import io.vmres.engine.out.CommandOut;
import io.vmres.engine.state.RecordCodec;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/** A command in flight: what was issued and, in replay, the answer the simulator chose. */
public final class Command implements Serializable {
    private static final long serialVersionUID = 2L;

    private final Action action;
    private final CommandOut out;

    /** The map job a MAP_DISKS belongs to; null otherwise. */
    private final MapJob map;

    /** The VM job of a RESTART_VM / LIVE_MIGRATE_VM; null otherwise. */
    private final VmJob job;

    /** Decided at issue (timeout, sim-fault) or null: judged at the answer. */
    private CommandStatus simStatus;

    private String simDetail;
    private long answerTs;

    public Command(Action action, CommandOut out, MapJob map, VmJob job) {
        this.action = action;
        this.out = out;
        this.map = map;
        this.job = job;
    }

    public String id() {
        return out.commandId();
    }

    public Action action() {
        return action;
    }

    public String incidentId() {
        return out.incidentId();
    }

    public String host() {
        return out.host();
    }

    public String target() {
        return out.target();
    }

    public List<String> vms() {
        return out.vms();
    }

    /** When it was issued. */
    public long issuedTs() {
        return out.ts();
    }

    public MapJob map() {
        return map;
    }

    public VmJob job() {
        return job;
    }

    /** The simulated answer decided at issue, or null: judged when it comes. */
    public CommandStatus simStatus() {
        return simStatus;
    }

    public String simDetail() {
        return simDetail;
    }

    /** The simulated hypervisor decided the answer at issue. */
    void decide(CommandStatus status, String detail) {
        this.simStatus = status;
        this.simDetail = detail;
    }

    public long answerTs() {
        return answerTs;
    }

    void answerAt(long ts) {
        this.answerTs = ts;
    }

    /**
     * Writes the command (see {@code io.vmres.engine.state.EngineState}); its jobs are shared with
     * their incidents.
     */
    public void write(StateOutput out) throws IOException {
        out.writeEnum(action);
        RecordCodec.writeCommand(this.out, out);
        out.writeShared(map, MapJob::write);
        out.writeShared(job, VmJob::write);
        out.writeEnum(simStatus);
        out.writeString(simDetail);
        out.writeTs(answerTs);
    }

    public static Command read(StateInput in) throws IOException {
        Command c =
                new Command(
                        in.readEnum(Action.class),
                        RecordCodec.readCommand(in),
                        in.readShared(MapJob::read),
                        in.readShared(VmJob::read));
        c.simStatus = in.readEnum(CommandStatus.class);
        c.simDetail = in.readString();
        c.answerTs = in.readTs();
        return c;
    }
}
