package io.vmres.job;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Events;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;

/**
 * What a live stream does with an event that arrives behind the watermark. Telemetry is a
 * measurement of its instant: late, it is dead-lettered and alerted, as in a recording. The
 * inventory, operators' requests and connectors' results are facts that still hold: dropping a host
 * record or a command result because a partition lagged would make the fleet view wrong or leave a
 * command unanswered forever, so they are applied at the first instant still open; so is the live
 * job's note that a host's telemetry stalled or resumed (a resume dropped would leave the host
 * unjudged for ever). (A recording's reader sets late lines apart before they reach the engines,
 * per the spec.)
 */
public final class LatePolicy {
    private LatePolicy() {}

    /** The event moved to {@code ts}, or null when a late event of its type is not applied. */
    public static Event retimeOrDrop(Event e, long ts) {
        boolean fact =
                e instanceof HostEvent
                        || e instanceof HostRemoved
                        || e instanceof VmEvent
                        || e instanceof VmRemoved
                        || e instanceof Maintenance
                        || e instanceof MaintenanceEnd
                        || e instanceof OperatorConfirm
                        || e instanceof CommandResultEvent
                        || e instanceof TelemetryStall;
        return fact ? Events.at(e, ts) : null;
    }
}
