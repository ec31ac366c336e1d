package io.vmres.engine;

import io.vmres.engine.event.CommandResultEvent;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Builds events for one cluster engine, runs them as a replay would, and keeps its outputs. */
final class EngineFixture implements Output {
    static final long T0 = Times.parse("2026-03-01T10:00:00Z");

    final ClusterEngine engine;
    final List<Event> events = new ArrayList<>();
    final List<CommandOut> commands = new ArrayList<>();
    final List<ResultOut> results = new ArrayList<>();
    final List<IncidentOut> incidents = new ArrayList<>();
    final List<AlertOut> alerts = new ArrayList<>();
    final List<AdmissionOut> admissions = new ArrayList<>();
    final List<HostStateOut> hostStates = new ArrayList<>();
    private long seq;

    EngineFixture(Settings settings) {
        this(
                new ClusterEngine(
                        "c1", settings, EngineOptions.of(ClusterEngine.Hypervisor.SIMULATED)));
    }

    EngineFixture(ClusterEngine engine) {
        this.engine = engine;
    }

    static long at(double seconds) {
        return T0 + Math.round(seconds * 1000);
    }

    EngineFixture host(String id, String rack, boolean bmc, boolean spare, double cpu) {
        events.add(
                new HostEvent(
                        at(0),
                        seq++,
                        id,
                        "c1",
                        cpu,
                        cpu * 4096,
                        rack,
                        "pd-" + rack,
                        "kvm",
                        List.of("sd-1"),
                        spare,
                        bmc));
        return this;
    }

    EngineFixture host(String id, String rack) {
        return host(id, rack, true, false, 64);
    }

    EngineFixture vm(String id, String host, int priority, String group, List<String> deps) {
        return vm(id, host, priority, true, group, deps, 4);
    }

    EngineFixture vm(
            String id,
            String host,
            int priority,
            boolean ha,
            String group,
            List<String> deps,
            double cpu) {
        events.add(
                new VmEvent(
                        at(0.5),
                        seq++,
                        id,
                        host,
                        cpu,
                        cpu * 4096,
                        priority,
                        ha,
                        group,
                        "sd-1",
                        List.of("vol-" + id),
                        deps));
        return this;
    }

    /** The inventory's record, at {@code t}, of a VM made by {@link #vm} now placed on host. */
    EngineFixture placed(double t, String id, String host, int priority) {
        events.add(
                new VmEvent(
                        at(t),
                        seq++,
                        id,
                        host,
                        4,
                        4 * 4096,
                        priority,
                        true,
                        null,
                        "sd-1",
                        List.of("vol-" + id),
                        List.of()));
        return this;
    }

    /** Heartbeats on the given channels every {@code period} seconds in [from, to]. */
    EngineFixture beats(String host, double from, double to, double period, String... channels) {
        String[] chs = channels.length == 0 ? new String[] {"mgmt", "storage"} : channels;
        for (double t = from; t <= to + 1e-9; t += period) {
            for (String c : chs) {
                events.add(new Heartbeat(at(t), seq++, host, c));
            }
        }
        return this;
    }

    /** The live job's note that the host's heartbeat partition stalled, or resumed, at t. */
    EngineFixture stall(double t, String host, boolean resumed) {
        events.add(new TelemetryStall(at(t), seq++, host, "heartbeat-0", resumed));
        return this;
    }

    EngineFixture power(double t, String host, String state) {
        events.add(new Power(at(t), seq++, host, state));
        return this;
    }

    EngineFixture domain(double t, String powerDomain, String state) {
        events.add(new PowerDomainReading(at(t), seq++, powerDomain, state, "pdu-" + powerDomain));
        return this;
    }

    EngineFixture health(double t, String host, String sensor, double value) {
        events.add(new Health(at(t), seq++, host, sensor, value, null));
        return this;
    }

    EngineFixture fault(double t, String action, int count, String target, String vm) {
        events.add(new SimFault(at(t), seq++, action, count, null, target, vm));
        return this;
    }

    EngineFixture confirm(double t, String host) {
        events.add(new OperatorConfirm(at(t), seq++, host, "oncall", "seen dark"));
        return this;
    }

    EngineFixture maintenance(double t, String host) {
        events.add(new Maintenance(at(t), seq++, host, at(t + 1800), "firmware", "ops"));
        return this;
    }

    EngineFixture maintenance(double t, String host, double deadline) {
        events.add(new Maintenance(at(t), seq++, host, at(deadline), "firmware", "ops"));
        return this;
    }

    EngineFixture maintenanceEnd(double t, String host) {
        events.add(new MaintenanceEnd(at(t), seq++, host));
        return this;
    }

    EngineFixture result(double t, String commandId, String status) {
        return result(t, commandId, status, "from connector");
    }

    EngineFixture result(double t, String commandId, String status, String detail) {
        events.add(new CommandResultEvent(at(t), seq++, commandId, status, detail));
        return this;
    }

    @Override
    public void admission(AdmissionOut admission) {
        admissions.add(admission);
    }

    /**
     * Replays every event, then the engine's own work to its end, then the end-of-replay give-ups.
     */
    EngineFixture run() {
        events.sort(Comparator.comparingLong(Event::ts).thenComparingLong(Event::seq));
        int i = 0;
        long last = events.isEmpty() ? T0 : events.get(events.size() - 1).ts();
        while (i < events.size()) {
            long t = Math.min(events.get(i).ts(), engine.nextDue());
            List<Event> now = new ArrayList<>();
            while (i < events.size() && events.get(i).ts() == t) {
                now.add(events.get(i++));
            }
            engine.advance(t, now, this);
        }
        engine.endOfInput(last);
        while (engine.nextDue() != Long.MAX_VALUE) {
            engine.advance(engine.nextDue(), List.of(), this);
        }
        long end = last;
        for (CommandOut c : commands) {
            end = Math.max(end, c.ts());
        }
        for (ResultOut r : results) {
            end = Math.max(end, r.ts());
        }
        for (IncidentOut x : incidents) {
            end = Math.max(end, x.ts());
        }
        for (AlertOut a : alerts) {
            end = Math.max(end, a.ts());
        }
        engine.giveUpAtEnd(end, this);
        return this;
    }

    List<CommandOut> commands(String action) {
        return commands.stream().filter(c -> c.action().equals(action)).toList();
    }

    List<IncidentOut> incidents(String kind) {
        return incidents.stream().filter(x -> x.kind().equals(kind)).toList();
    }

    List<AlertOut> alerts(String kind) {
        return alerts.stream().filter(a -> a.kind().equals(kind)).toList();
    }

    String status(String commandId) {
        return results.stream()
                .filter(r -> r.commandId().equals(commandId))
                .map(ResultOut::status)
                .findFirst()
                .orElse(null);
    }

    @Override
    public void command(CommandOut c) {
        commands.add(c);
    }

    @Override
    public void result(ResultOut r) {
        results.add(r);
    }

    @Override
    public void incident(IncidentOut i) {
        incidents.add(i);
    }

    @Override
    public void alert(AlertOut a) {
        alerts.add(a);
    }

    @Override
    public void hostState(HostStateOut s) {
        hostStates.add(s);
    }

    @Override
    public boolean wantsHostStates() {
        return true;
    }
}
