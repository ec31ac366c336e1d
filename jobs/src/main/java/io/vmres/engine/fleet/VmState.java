package io.vmres.engine.fleet;

import io.vmres.engine.event.VmEvent;
import io.vmres.engine.state.RecordCodec;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/** One VM of the fleet view: its latest inventory record and where the view holds it. */
public final class VmState implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String id;
    private VmEvent record;
    private String host;

    /** Not running: its host was declared failed (or confirmed down) and it has not moved since. */
    private boolean down;

    /** On a failed host that rejoined empty: gone, holds nothing. */
    private boolean ghost;

    public VmState(String id, VmEvent record) {
        this.id = id;
        this.record = record;
        this.host = record.host();
    }

    /** Its latest inventory record. */
    public VmEvent record() {
        return record;
    }

    public void record(VmEvent record) {
        this.record = record;
    }

    /** The host the fleet view holds it on. */
    public String host() {
        return host;
    }

    public void host(String host) {
        this.host = host;
    }

    public boolean down() {
        return down;
    }

    public void down(boolean down) {
        this.down = down;
    }

    public boolean ghost() {
        return ghost;
    }

    public void ghost(boolean ghost) {
        this.ghost = ghost;
    }

    public int priority() {
        return record.priority();
    }

    public boolean ha() {
        return record.ha();
    }

    public List<String> disks() {
        return record.disks() == null ? List.of() : record.disks();
    }

    public List<String> dependsOn() {
        return record.dependsOn() == null ? List.of() : record.dependsOn();
    }

    /** Writes the VM's state (see {@code io.vmres.engine.state.EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeString(id);
        out.writeShared(record, RecordCodec::writeVmEvent);
        out.writeString(host);
        out.writeVarInt((down ? 1 : 0) | (ghost ? 2 : 0));
    }

    public static VmState read(StateInput in) throws IOException {
        String id = in.readString();
        VmState vs = new VmState(id, in.readShared(RecordCodec::readVmEvent));
        vs.host = in.readString();
        int flags = in.readVarInt();
        vs.down = (flags & 1) != 0;
        vs.ghost = (flags & 2) != 0;
        return vs;
    }

    /** A copy of the VM's state, changed by its owner alone. */
    public VmState copy() {
        VmState v = new VmState(id, record);
        v.host = host;
        v.down = down;
        v.ghost = ghost;
        return v;
    }
}
