package io.vmres.engine.state;

import io.vmres.engine.ClusterEngine.Hypervisor;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.ExecutionMode;
import io.vmres.engine.Settings;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.HostStateOut;
import java.io.IOException;

/**
 * The records held in engine state (settings, options, inventory records, commands, told host
 * views), each written and read in one place. State classes write their own fields.
 */
public final class RecordCodec {
    private RecordCodec() {}

    public static void writeSettings(Settings s, StateOutput out) throws IOException {
        out.writeLong(s.heartbeatTimeoutMs());
        out.writeLong(s.outOfOrdernessMs());
        out.writeDouble(s.massSilenceFraction());
        out.writeInt(s.maxInFlightPerTarget());
        out.writeInt(s.maxInFlightPerCluster());
        out.writeLong(s.commandTimeoutMs());
        out.writeInt(s.maxAttempts());
        out.writeLong(s.eccWindowMs());
        out.writeInt(s.eccThreshold());
        out.writeDouble(s.tempThresholdC());
        out.writeInt(s.tempWindows());
        out.writeLong(s.smartWindowMs());
        out.writeInt(s.smartPendingRise());
        out.writeInt(s.smartReallocatedRise());
        out.writeLong(s.evacuationLeadTimeMs());
        out.writeLong(s.maxClockSkewMs());
    }

    public static Settings readSettings(StateInput in) throws IOException {
        return new Settings(
                in.readLong(),
                in.readLong(),
                in.readDouble(),
                in.readInt(),
                in.readInt(),
                in.readLong(),
                in.readInt(),
                in.readLong(),
                in.readInt(),
                in.readDouble(),
                in.readInt(),
                in.readLong(),
                in.readInt(),
                in.readInt(),
                in.readLong(),
                in.readLong());
    }

    public static void writeOptions(EngineOptions o, StateOutput out) throws IOException {
        out.writeEnum(o.hypervisor());
        out.writeBoolean(o.predictionsFromInput());
        out.writeEnum(o.mode());
        out.writeNullableLong(o.endedRetentionMs());
        out.writeString(o.idEpoch());
    }

    public static EngineOptions readOptions(StateInput in) throws IOException {
        return new EngineOptions(
                in.readEnum(Hypervisor.class),
                in.readBoolean(),
                in.readEnum(ExecutionMode.class),
                in.readNullableLong(),
                in.version() >= 3 ? in.readString() : null);
    }

    public static void writeHostEvent(HostEvent e, StateOutput out) throws IOException {
        out.writeTs(e.ts());
        out.writeLong(e.seq());
        out.writeString(e.host());
        out.writeString(e.cluster());
        out.writeNumber(e.cpu());
        out.writeNumber(e.memMb());
        out.writeString(e.rack());
        out.writeString(e.powerDomain());
        out.writeString(e.hypervisor());
        out.writeNullableStrings(e.storageDomains());
        out.writeBoolean(e.spare());
        out.writeBoolean(e.bmc());
    }

    public static HostEvent readHostEvent(StateInput in) throws IOException {
        return new HostEvent(
                in.readTs(),
                in.readLong(),
                in.readString(),
                in.readString(),
                in.readNumber(),
                in.readNumber(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readNullableStrings(),
                in.readBoolean(),
                in.readBoolean());
    }

    public static void writeVmEvent(VmEvent e, StateOutput out) throws IOException {
        out.writeTs(e.ts());
        out.writeLong(e.seq());
        out.writeString(e.vm());
        out.writeString(e.host());
        out.writeNumber(e.cpu());
        out.writeNumber(e.memMb());
        out.writeInt(e.priority());
        out.writeBoolean(e.ha());
        out.writeString(e.antiAffinityGroup());
        out.writeString(e.storageDomain());
        out.writeNullableStrings(e.disks());
        out.writeNullableStrings(e.dependsOn());
    }

    public static VmEvent readVmEvent(StateInput in) throws IOException {
        return new VmEvent(
                in.readTs(),
                in.readLong(),
                in.readString(),
                in.readString(),
                in.readNumber(),
                in.readNumber(),
                in.readInt(),
                in.readBoolean(),
                in.readString(),
                in.readString(),
                in.readNullableStrings(),
                in.readNullableStrings());
    }

    public static void writeSimFault(SimFault f, StateOutput out) throws IOException {
        out.writeTs(f.ts());
        out.writeLong(f.seq());
        out.writeString(f.action());
        out.writeInt(f.count());
        out.writeString(f.host());
        out.writeString(f.target());
        out.writeString(f.vm());
    }

    public static SimFault readSimFault(StateInput in) throws IOException {
        return new SimFault(
                in.readTs(),
                in.readLong(),
                in.readString(),
                in.readInt(),
                in.readString(),
                in.readString(),
                in.readString());
    }

    public static void writeCommand(CommandOut c, StateOutput out) throws IOException {
        out.writeString(c.commandId());
        out.writeString(c.incidentId());
        out.writeString(c.action());
        out.writeString(c.host());
        out.writeString(c.target());
        out.writeString(c.vm());
        out.writeNullableStrings(c.vms());
        out.writeNullableStrings(c.disks());
        out.writeInt(c.attempt());
        out.writeBoolean(c.priority() != null);
        if (c.priority() != null) {
            out.writeInt(c.priority());
        }
        out.writeTs(c.ts());
    }

    public static CommandOut readCommand(StateInput in) throws IOException {
        return new CommandOut(
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readNullableStrings(),
                in.readNullableStrings(),
                in.readInt(),
                in.readBoolean() ? in.readInt() : null,
                in.readTs());
    }

    public static void writeHostView(HostStateOut h, StateOutput out) throws IOException {
        out.writeString(h.host());
        out.writeString(h.cluster());
        out.writeString(h.state());
        out.writeString(h.rack());
        out.writeString(h.powerDomain());
        out.writeInt(h.vms());
        out.writeNumber(h.cpuUsed());
        out.writeNumber(h.cpuTotal());
        out.writeNumber(h.memUsedMb());
        out.writeNumber(h.memTotalMb());
        out.writeTs(h.ts());
    }

    public static HostStateOut readHostView(StateInput in) throws IOException {
        return new HostStateOut(
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readString(),
                in.readInt(),
                in.readNumber(),
                in.readNumber(),
                in.readNumber(),
                in.readNumber(),
                in.readTs());
    }
}
