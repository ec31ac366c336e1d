package io.vmres.engine.event;

/** Operations on any input event. */
public final class Events {
    private Events() {}

    /** The same event at another event time (its seq and every other field unchanged). */
    public static Event at(Event e, long ts) {
        return at(e, ts, e.seq());
    }

    /**
     * The same event at another event time and place in its instant, every other field unchanged.
     */
    public static Event at(Event e, long ts, long seq) {
        if (e.ts() == ts && e.seq() == seq) {
            return e;
        }
        if (e instanceof HostEvent h) {
            return new HostEvent(
                    ts,
                    seq,
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
            return new HostRemoved(ts, seq, h.host());
        } else if (e instanceof VmEvent v) {
            return new VmEvent(
                    ts,
                    seq,
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
            return new VmRemoved(ts, seq, v.vm());
        } else if (e instanceof Heartbeat h) {
            return new Heartbeat(ts, seq, h.host(), h.channel());
        } else if (e instanceof Power p) {
            return new Power(ts, seq, p.host(), p.state());
        } else if (e instanceof PowerDomainReading p) {
            return new PowerDomainReading(ts, seq, p.powerDomain(), p.state(), p.source());
        } else if (e instanceof Health h) {
            return new Health(ts, seq, h.host(), h.sensor(), h.value(), h.component());
        } else if (e instanceof Maintenance m) {
            return new Maintenance(ts, seq, m.host(), m.deadline(), m.reason(), m.requestedBy());
        } else if (e instanceof MaintenanceEnd m) {
            return new MaintenanceEnd(ts, seq, m.host());
        } else if (e instanceof OperatorConfirm c) {
            return new OperatorConfirm(ts, seq, c.host(), c.requestedBy(), c.reason());
        } else if (e instanceof SimFault f) {
            return new SimFault(ts, seq, f.action(), f.count(), f.host(), f.target(), f.vm());
        } else if (e instanceof CommandResultEvent r) {
            return new CommandResultEvent(ts, seq, r.commandId(), r.status(), r.detail());
        } else if (e instanceof Prediction p) {
            return new Prediction(ts, seq, p.host(), p.rule(), p.sensor(), p.value());
        } else if (e instanceof ClockSkew c) {
            return new ClockSkew(ts, seq, c.host(), c.claimedTs());
        } else if (e instanceof TelemetryStall s) {
            return new TelemetryStall(ts, seq, s.host(), s.partition(), s.resumed());
        }
        throw new IllegalArgumentException("an event of unknown type " + e.type());
    }

    /**
     * The host an event speaks for (the source whose clock may be wrong), or null for an event of
     * no one host.
     */
    public static String source(Event e) {
        if (e instanceof HostEvent h) {
            return h.host();
        } else if (e instanceof HostRemoved h) {
            return h.host();
        } else if (e instanceof VmEvent v) {
            return v.host();
        } else if (e instanceof Heartbeat h) {
            return h.host();
        } else if (e instanceof Power p) {
            return p.host();
        } else if (e instanceof Health h) {
            return h.host();
        } else if (e instanceof Maintenance m) {
            return m.host();
        } else if (e instanceof MaintenanceEnd m) {
            return m.host();
        } else if (e instanceof OperatorConfirm c) {
            return c.host();
        } else if (e instanceof Prediction p) {
            return p.host();
        } else if (e instanceof ClockSkew c) {
            return c.host();
        } else if (e instanceof TelemetryStall t) {
            return t.host();
        }
        return null;
    }
}
