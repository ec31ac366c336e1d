package io.vmres.deploy.bench;

import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.VmEvent;
import io.vmres.schema.Channel;
import io.vmres.schema.Host;
import io.vmres.schema.PowerState;
import io.vmres.schema.Vm;
import io.vmres.schema.recording.RecordingWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;

/** Writes the events a run applies as a recording (spec: Input events). */
final class RecoveryRecording implements AutoCloseable {
    private final RecordingWriter out;

    RecoveryRecording(Path file, RecoveryFleet fleet, long seed) throws IOException {
        out = new RecordingWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
        out.meta(
                "bench-recovery-" + fleet.hosts() + "-hosts-seed-" + seed,
                String.format(
                        Locale.ROOT,
                        "vmres bench recovery: %d hosts, %d VMs; rack %s (%d hosts, %d VMs) loses power",
                        fleet.hosts(),
                        fleet.vmEvents().size(),
                        fleet.failedRack(),
                        fleet.failedHosts(),
                        fleet.failedVms()));
    }

    void write(List<Event> events) throws IOException {
        for (Event e : events) {
            out.event(record(e));
        }
    }

    /** The engine's event as the input record it stands for. */
    private static SpecificRecord record(Event e) {
        Instant ts = Instant.ofEpochMilli(e.ts());
        if (e instanceof HostEvent h) {
            return new Host(
                    h.host(),
                    h.cluster(),
                    h.cpu(),
                    h.memMb(),
                    h.rack(),
                    h.powerDomain(),
                    h.hypervisor(),
                    h.storageDomains(),
                    h.spare(),
                    h.bmc(),
                    ts);
        } else if (e instanceof VmEvent v) {
            // no dependsOn: the bench's VMs depend on none
            return new Vm(
                    v.vm(),
                    v.host(),
                    v.cpu(),
                    v.memMb(),
                    v.priority(),
                    v.ha(),
                    v.antiAffinityGroup(),
                    v.storageDomain(),
                    v.disks(),
                    null,
                    ts);
        } else if (e instanceof Heartbeat hb) {
            return new io.vmres.schema.Heartbeat(hb.host(), Channel.valueOf(hb.channel()), ts);
        } else if (e instanceof Power p) {
            return new io.vmres.schema.Power(p.host(), PowerState.valueOf(p.state()), ts);
        }
        throw new IllegalArgumentException("no recording line for " + e.type());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
