package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.Times;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.VmEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Writes the events a run applies as a recording (spec: Input events). */
final class RecoveryRecording implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final java.io.BufferedWriter out;

    RecoveryRecording(Path file, RecoveryFleet fleet, long seed) throws IOException {
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        com.fasterxml.jackson.databind.node.ObjectNode meta = json.createObjectNode();
        meta.put("type", "meta");
        meta.put("name", "bench-recovery-" + fleet.hosts() + "-hosts-seed-" + seed);
        meta.put(
                "description",
                String.format(
                        Locale.ROOT,
                        "vmres bench recovery: %d hosts, %d VMs; rack %s (%d hosts, %d VMs) loses power",
                        fleet.hosts(),
                        fleet.vmEvents().size(),
                        fleet.failedRack(),
                        fleet.failedHosts(),
                        fleet.failedVms()));
        line(meta);
    }

    void write(List<Event> events) throws IOException {
        for (Event e : events) {
            com.fasterxml.jackson.databind.node.ObjectNode o = json.createObjectNode();
            o.put("type", e.type());
            o.put("ts", Times.format(e.ts()));
            if (e instanceof HostEvent h) {
                o.put("host", h.host());
                o.put("cluster", h.cluster());
                o.put("cpu", h.cpu());
                o.put("memMb", h.memMb());
                o.put("rack", h.rack());
                o.put("powerDomain", h.powerDomain());
                o.put("hypervisor", h.hypervisor());
                h.storageDomains().forEach(o.putArray("storageDomains")::add);
                o.put("spare", h.spare());
                o.put("bmc", h.bmc());
            } else if (e instanceof VmEvent v) {
                o.put("vm", v.vm());
                o.put("host", v.host());
                o.put("cpu", v.cpu());
                o.put("memMb", v.memMb());
                o.put("priority", v.priority());
                o.put("ha", v.ha());
                o.put("storageDomain", v.storageDomain());
                v.disks().forEach(o.putArray("disks")::add);
            } else if (e instanceof Heartbeat hb) {
                o.put("host", hb.host());
                o.put("channel", hb.channel());
            } else if (e instanceof Power p) {
                o.put("host", p.host());
                o.put("state", p.state());
            } else {
                throw new IllegalArgumentException("no recording line for " + e.type());
            }
            line(o);
        }
    }

    private void line(JsonNode o) throws IOException {
        out.write(json.writeValueAsString(o));
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
