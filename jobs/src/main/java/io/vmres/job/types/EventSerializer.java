package io.vmres.job.types;

import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.Prediction;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A compact binary form of every input event: a tag byte, then the fields. Heartbeats are most of
 * the traffic between the router and the cluster engines, so no reflection and no Kryo.
 */
public final class EventSerializer extends ImmutableSerializer<Event> {
    private static final long serialVersionUID = 1L;
    public static final EventSerializer INSTANCE = new EventSerializer();

    private static final byte HOST = 1;
    private static final byte HOST_REMOVED = 2;
    private static final byte VM = 3;
    private static final byte VM_REMOVED = 4;
    private static final byte HEARTBEAT = 5;
    private static final byte POWER = 6;
    private static final byte HEALTH = 7;
    private static final byte MAINTENANCE = 8;
    private static final byte MAINTENANCE_END = 9;
    private static final byte CONFIRM = 10;
    private static final byte SIM_FAULT = 11;
    private static final byte RESULT = 12;
    private static final byte PREDICTION = 13;
    private static final byte POWER_DOMAIN = 14;
    private static final byte CLOCK_SKEW = 15;
    private static final byte TELEMETRY_STALL = 16;

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        if (e instanceof Heartbeat h) {
            head(out, HEARTBEAT, e);
            out.writeUTF(h.host());
            out.writeBoolean("mgmt".equals(h.channel()));
            if (!"mgmt".equals(h.channel())) {
                str(out, h.channel());
            }
        } else if (e instanceof HostEvent h) {
            head(out, HOST, e);
            out.writeUTF(h.host());
            out.writeUTF(h.cluster());
            out.writeDouble(h.cpu());
            out.writeDouble(h.memMb());
            str(out, h.rack());
            str(out, h.powerDomain());
            str(out, h.hypervisor());
            list(out, h.storageDomains());
            out.writeBoolean(h.spare());
            out.writeBoolean(h.bmc());
        } else if (e instanceof HostRemoved h) {
            head(out, HOST_REMOVED, e);
            out.writeUTF(h.host());
        } else if (e instanceof VmEvent v) {
            head(out, VM, e);
            out.writeUTF(v.vm());
            out.writeUTF(v.host());
            out.writeDouble(v.cpu());
            out.writeDouble(v.memMb());
            out.writeInt(v.priority());
            out.writeBoolean(v.ha());
            str(out, v.antiAffinityGroup());
            str(out, v.storageDomain());
            list(out, v.disks());
            list(out, v.dependsOn());
        } else if (e instanceof VmRemoved v) {
            head(out, VM_REMOVED, e);
            out.writeUTF(v.vm());
        } else if (e instanceof Power p) {
            head(out, POWER, e);
            out.writeUTF(p.host());
            out.writeUTF(p.state());
        } else if (e instanceof PowerDomainReading p) {
            head(out, POWER_DOMAIN, e);
            out.writeUTF(p.powerDomain());
            out.writeUTF(p.state());
            str(out, p.source());
        } else if (e instanceof Health h) {
            head(out, HEALTH, e);
            out.writeUTF(h.host());
            out.writeUTF(h.sensor());
            out.writeDouble(h.value());
            str(out, h.component());
        } else if (e instanceof Maintenance m) {
            head(out, MAINTENANCE, e);
            out.writeUTF(m.host());
            out.writeLong(m.deadline());
            str(out, m.reason());
            str(out, m.requestedBy());
        } else if (e instanceof MaintenanceEnd m) {
            head(out, MAINTENANCE_END, e);
            out.writeUTF(m.host());
        } else if (e instanceof OperatorConfirm c) {
            head(out, CONFIRM, e);
            out.writeUTF(c.host());
            str(out, c.requestedBy());
            str(out, c.reason());
        } else if (e instanceof SimFault f) {
            head(out, SIM_FAULT, e);
            out.writeUTF(f.action());
            out.writeInt(f.count());
            str(out, f.host());
            str(out, f.target());
            str(out, f.vm());
        } else if (e instanceof CommandResultEvent r) {
            head(out, RESULT, e);
            out.writeUTF(r.commandId());
            out.writeUTF(r.status());
            str(out, r.detail());
        } else if (e instanceof Prediction p) {
            head(out, PREDICTION, e);
            out.writeUTF(p.host());
            out.writeUTF(p.rule());
            out.writeUTF(p.sensor());
            out.writeDouble(p.value());
        } else if (e instanceof ClockSkew c) {
            head(out, CLOCK_SKEW, e);
            out.writeUTF(c.host());
            out.writeLong(c.claimedTs());
        } else if (e instanceof TelemetryStall s) {
            head(out, TELEMETRY_STALL, e);
            out.writeUTF(s.host());
            out.writeUTF(s.partition());
            out.writeBoolean(s.resumed());
        } else {
            throw new IOException("unknown event type " + e.getClass().getName());
        }
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        byte tag = in.readByte();
        long ts = in.readLong();
        long seq = in.readLong();
        switch (tag) {
            case HEARTBEAT:
                {
                    String host = in.readUTF();
                    String channel = in.readBoolean() ? "mgmt" : str(in);
                    return new Heartbeat(ts, seq, host, channel);
                }
            case HOST:
                return new HostEvent(
                        ts,
                        seq,
                        in.readUTF(),
                        in.readUTF(),
                        in.readDouble(),
                        in.readDouble(),
                        str(in),
                        str(in),
                        str(in),
                        list(in),
                        in.readBoolean(),
                        in.readBoolean());
            case HOST_REMOVED:
                return new HostRemoved(ts, seq, in.readUTF());
            case VM:
                return new VmEvent(
                        ts,
                        seq,
                        in.readUTF(),
                        in.readUTF(),
                        in.readDouble(),
                        in.readDouble(),
                        in.readInt(),
                        in.readBoolean(),
                        str(in),
                        str(in),
                        list(in),
                        list(in));
            case VM_REMOVED:
                return new VmRemoved(ts, seq, in.readUTF());
            case POWER:
                return new Power(ts, seq, in.readUTF(), in.readUTF());
            case POWER_DOMAIN:
                return new PowerDomainReading(ts, seq, in.readUTF(), in.readUTF(), str(in));
            case HEALTH:
                return new Health(ts, seq, in.readUTF(), in.readUTF(), in.readDouble(), str(in));
            case MAINTENANCE:
                return new Maintenance(ts, seq, in.readUTF(), in.readLong(), str(in), str(in));
            case MAINTENANCE_END:
                return new MaintenanceEnd(ts, seq, in.readUTF());
            case CONFIRM:
                return new OperatorConfirm(ts, seq, in.readUTF(), str(in), str(in));
            case SIM_FAULT:
                return new SimFault(ts, seq, in.readUTF(), in.readInt(), str(in), str(in), str(in));
            case RESULT:
                return new CommandResultEvent(ts, seq, in.readUTF(), in.readUTF(), str(in));
            case PREDICTION:
                return new Prediction(
                        ts, seq, in.readUTF(), in.readUTF(), in.readUTF(), in.readDouble());
            case CLOCK_SKEW:
                return new ClockSkew(ts, seq, in.readUTF(), in.readLong());
            case TELEMETRY_STALL:
                return new TelemetryStall(ts, seq, in.readUTF(), in.readUTF(), in.readBoolean());
            default:
                throw new IOException("unknown event tag " + tag);
        }
    }

    @Override
    public TypeSerializerSnapshot<Event> snapshotConfiguration() {
        return new Snapshot();
    }

    private static void head(DataOutputView out, byte tag, Event e) throws IOException {
        out.writeByte(tag);
        out.writeLong(e.ts());
        out.writeLong(e.seq());
    }

    private static void str(DataOutputView out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String str(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void list(DataOutputView out, List<String> l) throws IOException {
        if (l == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(l.size());
        for (String s : l) {
            out.writeUTF(s);
        }
    }

    private static List<String> list(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(in.readUTF());
        }
        return Collections.unmodifiableList(l);
    }

    /** Snapshot of a serializer without configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Event> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
