package io.vmres.job;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;

/**
 * What a live stream does with an event that arrives behind the watermark. Telemetry is a
 * measurement of its instant: late, it is dead-lettered and alerted, as in a recording. The
 * inventory, operators' requests and connectors' results are facts that still hold: dropping a host
 * record or a command result because a partition lagged would make the fleet view wrong or leave a
 * command unanswered forever, so they are applied at the first instant still open. (A recording's
 * reader sets late lines apart before they reach the engines, per the spec.)
 */
public final class LatePolicy {
    private LatePolicy() {}

    /** The event moved to {@code ts}, or null when a late event of its type is not applied. */
    public static Event retimeOrDrop(Event e, long ts) {
        if (e instanceof HostEvent h) {
            return new HostEvent(
                    ts,
                    h.seq(),
                    h.host(),
                    h.cluster(),
                    h.cpu(),
                    h.memMb(),
                    h.rack(),
                    h.powerDomain(),
                    h.hypervisor(),
                    h.storageDomains(),
                    h.spare(),
                    h.bmc());
        } else if (e instanceof HostRemoved h) {
            return new HostRemoved(ts, h.seq(), h.host());
        } else if (e instanceof VmEvent v) {
            return new VmEvent(
                    ts,
                    v.seq(),
                    v.vm(),
                    v.host(),
                    v.cpu(),
                    v.memMb(),
                    v.priority(),
                    v.ha(),
                    v.antiAffinityGroup(),
                    v.storageDomain(),
                    v.disks(),
                    v.dependsOn());
        } else if (e instanceof VmRemoved v) {
            return new VmRemoved(ts, v.seq(), v.vm());
        } else if (e instanceof Maintenance m) {
            return new Maintenance(
                    ts, m.seq(), m.host(), m.deadline(), m.reason(), m.requestedBy());
        } else if (e instanceof MaintenanceEnd m) {
            return new MaintenanceEnd(ts, m.seq(), m.host());
        } else if (e instanceof OperatorConfirm c) {
            return new OperatorConfirm(ts, c.seq(), c.host(), c.requestedBy(), c.reason());
        } else if (e instanceof CommandResultEvent r) {
            return new CommandResultEvent(ts, r.seq(), r.commandId(), r.status(), r.detail());
        }
        return null;
    }
}
