package io.vmres.engine;

import io.vmres.engine.correlate.Correlation;
import io.vmres.engine.correlate.Correlator;
import io.vmres.engine.detect.ClockAlerts;
import io.vmres.engine.detect.Detector;
import io.vmres.engine.detect.HealthRules;
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
import io.vmres.engine.execute.Answers;
import io.vmres.engine.execute.Executor;
import io.vmres.engine.execute.InFlight;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.FleetRules;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.incident.Confirmations;
import io.vmres.engine.incident.Declaration;
import io.vmres.engine.incident.Drains;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.IncidentKind;
import io.vmres.engine.incident.IncidentRules;
import io.vmres.engine.incident.Incidents;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.plan.Admission;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.sim.SimHypervisor;
import io.vmres.engine.state.RecordCodec;
import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The decisions of one cluster, as a deterministic discrete-event machine over event time (the
 * {@link Engine} contract). It only runs the instants, in the spec's order, and its timers: each
 * rule lives in the stage named after it, {@code detect} (channel loss, health), {@code correlate}
 * (classification batches, outages), {@code incident} (lines, states, drains, confirmations,
 * retention), {@code fleet} (inventory, rejoin), {@code plan} (placement) and {@code execute}
 * (commands, limits, answers, the simulated hypervisor). No Flink types: the Flink operator only
 * buffers input until the watermark passes it and hands it over in (ts, seq) order through an
 * {@link EngineDriver}.
 *
 * <p>Its state is the fields below (checkpointed in the compact form of {@code EngineState}); the
 * stages are rules over that state, made afresh on construction and restore.
 */
public final class ClusterEngine implements Engine, Serializable {
    private static final long serialVersionUID = 2L;

    /** Ended incidents are looked for at most once per event-time minute. */
    private static final long PRUNE_PERIOD_MS = Duration.ofMinutes(1).toMillis();

    /** Who answers commands: the engine's own simulated hypervisor, or connectors via results. */
    public enum Hypervisor {
        SIMULATED,
        EXTERNAL
    }

    // ------------------------------------------------------------------ state

    private final String cluster;
    private final Settings settings;
    private final EngineOptions options;

    /** Hosts and VMs as the cluster sees them. */
    private final Fleet fleet;

    /** Health rules per host (when the engine judges samples itself). */
    private final TreeMap<String, HealthRules> health;

    private final Timers timers;
    private final Incidents incidents;
    private final InFlight inFlight;
    private final SimHypervisor sim;

    /** The failover planning; made afresh on a restore of a state saved without it. */
    private FleetPlanning planning;

    /** The fleet view told to dashboards; made afresh on a restore of a state without it. */
    private HostStates hostStates;

    /** The hosts told of a wrong clock lately; made afresh on a restore of a state without it. */
    private ClockAlerts clockAlerts = new ClockAlerts();

    /** The last ts of the input, once it ended. */
    private long inputEnd = Long.MAX_VALUE;

    /** The first instant at which ended incidents are looked for again. */
    private long nextPruneTs = Long.MIN_VALUE;

    // ------------------------------------------------------------------ within an instant

    /** Declarations asked by the input events of this instant, made in its step 2. */
    private final List<Declaration> declarations = new ArrayList<>();

    /** Connectors' results of this instant, applied in its step 3. */
    private final List<CommandResultEvent> results = new ArrayList<>();

    /** The input of this instant may change a host's view; of its VMs' sizes too (inventory). */
    private boolean hostInput;

    private boolean inventoryInput;

    // ------------------------------------------------------------------ the stages (rules)

    private transient IncidentRules incidentRules;
    private transient Drains drains;
    private transient Confirmations confirmations;
    private transient FleetRules fleetRules;
    private transient Detector detector;
    private transient Correlator correlator;
    private transient Executor executor;
    private transient Answers answers;

    public ClusterEngine(String cluster, Settings settings, EngineOptions options) {
        this(cluster, settings, options, new FleetPlanning(cluster));
    }

    /** An engine with the given planning (tests compare ways of keeping it current). */
    public ClusterEngine(
            String cluster, Settings settings, EngineOptions options, FleetPlanning planning) {
        this.cluster = cluster;
        this.settings = settings;
        this.options = options;
        this.fleet = new Fleet(cluster, settings);
        this.health = new TreeMap<>();
        this.timers = new Timers();
        this.incidents = new Incidents(options.idStem(cluster));
        this.inFlight = new InFlight();
        this.sim = new SimHypervisor();
        this.planning = planning;
        this.hostStates = new HostStates(cluster, fleet, incidents);
        wire();
    }

    /**
     * Writes the engine's state between two instants (see {@link io.vmres.engine.state.EngineState}
     * for the format); the stages are rules, made again on read.
     */
    public void write(StateOutput out) throws IOException {
        if (!declarations.isEmpty() || !results.isEmpty() || hostInput || inventoryInput) {
            throw new IllegalStateException("an engine is written between instants only");
        }
        out.writeString(cluster);
        RecordCodec.writeSettings(settings, out);
        RecordCodec.writeOptions(options, out);
        out.writeTs(inputEnd);
        out.writeTs(nextPruneTs);
        fleet.write(out);
        out.writeMap(health, HealthRules::write);
        timers.write(out);
        incidents.write(out);
        inFlight.write(out);
        sim.write(out);
        planning.write(out);
        hostStates.write(out);
        clockAlerts.write(out);
    }

    public static ClusterEngine read(StateInput in) throws IOException {
        String cluster = in.readString();
        Settings settings = RecordCodec.readSettings(in);
        EngineOptions options = RecordCodec.readOptions(in);
        long inputEnd = in.readTs();
        long nextPruneTs = in.readTs();
        Fleet fleet = Fleet.read(in, cluster, settings);
        TreeMap<String, HealthRules> health = in.readMap(new TreeMap<>(), HealthRules::read);
        Timers timers = Timers.read(in);
        Incidents incidents = Incidents.read(in, options.idStem(cluster));
        ClusterEngine e =
                new ClusterEngine(
                        cluster,
                        settings,
                        options,
                        fleet,
                        health,
                        timers,
                        incidents,
                        InFlight.read(in),
                        SimHypervisor.read(in),
                        FleetPlanning.read(in, cluster));
        e.hostStates = HostStates.read(in, cluster, fleet, incidents);
        e.clockAlerts = in.version() >= 4 ? ClockAlerts.read(in) : new ClockAlerts();
        e.inputEnd = inputEnd;
        e.nextPruneTs = nextPruneTs;
        return e;
    }

    private ClusterEngine(
            String cluster,
            Settings settings,
            EngineOptions options,
            Fleet fleet,
            TreeMap<String, HealthRules> health,
            Timers timers,
            Incidents incidents,
            InFlight inFlight,
            SimHypervisor sim,
            FleetPlanning planning) {
        this.cluster = cluster;
        this.settings = settings;
        this.options = options;
        this.fleet = fleet;
        this.health = health;
        this.timers = timers;
        this.incidents = incidents;
        this.inFlight = inFlight;
        this.sim = sim;
        this.planning = planning;
        wire();
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (planning == null) {
            planning = new FleetPlanning(cluster);
        }
        if (hostStates == null) {
            hostStates = new HostStates(cluster, fleet, incidents);
        }
        if (clockAlerts == null) {
            clockAlerts = new ClockAlerts();
        }
        wire();
    }

    /** Makes the stages over the state. */
    private void wire() {
        incidentRules = new IncidentRules(fleet, incidents);
        drains = new Drains(settings, fleet, incidents, incidentRules);
        confirmations = new Confirmations(settings, fleet, incidents, incidentRules);
        fleetRules = new FleetRules(cluster, options.hypervisor(), fleet, incidents, incidentRules);
        detector =
                new Detector(settings, fleet, health, timers, incidents, incidentRules, fleetRules);
        correlator = new Correlator(settings, fleet, incidents, incidentRules, drains);
        executor =
                new Executor(
                        settings,
                        options.mode(),
                        options.hypervisor(),
                        fleet,
                        incidents,
                        incidentRules,
                        inFlight,
                        sim,
                        timers,
                        planning);
        answers =
                new Answers(
                        settings,
                        options.hypervisor(),
                        fleet,
                        incidents,
                        incidentRules,
                        inFlight,
                        executor);
    }

    /** The cluster's failover planning: ledger, prestaged plans, admission view. */
    public FleetPlanning planning() {
        return planning;
    }

    public String cluster() {
        return cluster;
    }

    /** The fleet view (read it only: what-if questions start from it). */
    public Fleet fleet() {
        return fleet;
    }

    public Settings settings() {
        return settings;
    }

    public EngineOptions options() {
        return options;
    }

    /** The incidents held in the state now. */
    public int incidentsHeld() {
        return incidents.size();
    }

    /** The VM jobs and host parts held in the state now, over every incident. */
    public int workHeld() {
        int n = 0;
        for (Incident inc : incidents.all()) {
            n += inc.jobs().size() + inc.parts().size() + inc.pendingMaps().size();
        }
        return n;
    }

    /** The commands issued so far by the incidents held in the state now. */
    public int commandsHeld() {
        int n = 0;
        for (Incident inc : incidents.all()) {
            n += inc.commandsIssued();
        }
        return n;
    }

    /** The incidents held that have not ended, counted by kind (for metrics; reads only). */
    public TreeMap<String, Integer> openIncidentsByKind() {
        TreeMap<String, Integer> n = new TreeMap<>();
        for (Incident inc : incidents.all()) {
            if (!inc.ended()) {
                n.merge(inc.kind().name(), 1, Integer::sum);
            }
        }
        return n;
    }

    /** The commands of the cluster awaiting an answer now. */
    public int commandsInFlight() {
        return inFlight.size();
    }

    /** The VMs that incidents not ended yet left unplaced for want of room. */
    public int unplacedVms() {
        int n = 0;
        for (Incident inc : incidents.all()) {
            if (!inc.ended()) {
                n += inc.unplacedVms().size();
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ the contract

    @Override
    public void advance(long t, List<Event> eventsAtT, Output out) {
        runBefore(t, out);
        hostInput = out.wantsHostStates() && hostStates.touchedBy(eventsAtT);
        inventoryInput = hostInput && HostStates.inventory(eventsAtT);
        for (Event e : eventsAtT) {
            apply(e, out);
        }
        runInstant(t, out);
        Long retention = options.endedRetentionMs();
        if (retention != null && t >= nextPruneTs) {
            incidentRules.pruneEnded(t, retention);
            nextPruneTs =
                    Times.plus(
                            Math.floorDiv(t, PRUNE_PERIOD_MS) * PRUNE_PERIOD_MS, PRUNE_PERIOD_MS);
        }
    }

    @Override
    public long nextDue() {
        // losses and temperature windows after the end of input never happen: drop their timers
        while (!timers.isEmpty()
                && timers.peek().ts() > inputEnd
                && (timers.peek().kind() == Timer.Kind.LOSS
                        || timers.peek().kind() == Timer.Kind.TEMPERATURE)) {
            timers.poll();
        }
        return timers.isEmpty() ? Long.MAX_VALUE : timers.peek().ts();
    }

    @Override
    public void endOfInput(long lastTs) {
        inputEnd = lastTs;
    }

    @Override
    public void giveUpAtEnd(long endTs, Output out) {
        executor.giveUpWaiting(endTs, out);
        incidentRules.evaluateAll(endTs, out);
    }

    @Override
    public List<IncidentFigures> figures() {
        List<IncidentFigures> list = new ArrayList<>();
        for (Incident inc : incidents.all()) {
            list.add(IncidentRules.figuresOf(inc));
        }
        return list;
    }

    // ------------------------------------------------------------------ the instant

    private void runBefore(long t, Output out) {
        while (timers.dueBefore(t)) {
            runInstant(timers.peek().ts(), out);
        }
    }

    /**
     * Steps 2 to 4 of the spec's order of one instant (step 1, the input, is done): timers but
     * answers, declarations, execution; answers and results, execution; planning and the fleet
     * view.
     */
    private void runInstant(long t, Output out) {
        boolean timed = timers.dueAt(t);
        while (timers.dueAt(t) && timers.peek().kind() != Timer.Kind.ANSWER) {
            fire(timers.poll(), t, out);
        }
        List<Declaration> asked = new ArrayList<>(declarations);
        declarations.clear();
        for (Declaration d : asked) {
            declare(d, t, out);
        }
        executor.pump(t, out);
        while (timers.dueAt(t)) {
            fire(timers.poll(), t, out);
        }
        List<CommandResultEvent> got = new ArrayList<>(results);
        results.clear();
        for (CommandResultEvent r : got) {
            // the live job may apply a result before the instant it names (EngineFunction)
            answers.result(r.commandId(), r.status(), r.detail(), t, r.ts(), out);
        }
        executor.pump(t, out);
        Admission a = planning.sync(fleet, Correlation.failedDomains(incidents), t);
        if (a != null) {
            out.admission(AdmissionOut.of(cluster, a, t));
        }
        if ((timed || hostInput) && out.wantsHostStates()) {
            hostStates.report(t, out, inventoryInput);
        }
        hostInput = false;
        inventoryInput = false;
    }

    private void fire(Timer timer, long t, Output out) {
        if (timer instanceof Timer.ChannelLoss l) {
            detector.channelTimer(l.host(), l.channel(), t, inputEnd);
        } else if (timer instanceof Timer.Classify c) {
            correlator.classifyTimer(c.host(), c.lossTime(), t, out);
        } else if (timer instanceof Timer.Isolation i) {
            correlator.isolationTimer(i.host(), i.mgmtLossTs(), t, out);
        } else if (timer instanceof Timer.TemperatureWindow w) {
            Declaration d = detector.temperatureWindow(w.host(), t, inputEnd);
            if (d != null) {
                declare(d, t, out);
            }
        } else if (timer instanceof Timer.Answer a) {
            answers.answer(a.commandId(), t, out);
        }
    }

    /** Step 1: an input event, to the stage it concerns. */
    private void apply(Event e, Output out) {
        planning.touch(e, fleet.vms());
        if (e instanceof Heartbeat hb) {
            detector.heartbeat(hb, out);
            return;
        }
        if (e instanceof ClockSkew c) {
            // a note of the pipeline's, not an input: it changes nothing but the alerts
            clockAlerts.note(c, settings.maxClockSkewMs(), out);
            return;
        }
        if (e instanceof TelemetryStall s) {
            // the live job's note of a stalled heartbeat partition: the host is not judged
            detector.telemetryStall(s);
            return;
        }
        incidents.changed();
        if (e instanceof HostEvent he) {
            fleetRules.hostEvent(he, out);
        } else if (e instanceof HostRemoved hr) {
            fleetRules.hostRemoved(hr, out);
        } else if (e instanceof VmEvent ve) {
            fleetRules.vmEvent(ve);
        } else if (e instanceof VmRemoved vr) {
            fleetRules.vmRemoved(vr);
        } else if (e instanceof Power p) {
            HostState hs = fleet.host(p.host());
            hs.powerReading(p.state(), p.ts());
            if (fleet.provenOff(hs) && hs.status() == HostState.Status.OUTAGE) {
                declarations.add(Declaration.hostFailure(hs.id));
            }
        } else if (e instanceof PowerDomainReading d) {
            fleet.domainReading(d.powerDomain(), d.state(), d.ts());
            if ("off".equals(d.state())) {
                // hosts awaiting confirmation are confirmed by it now, as by an operator (step 1);
                // outage hosts it proves off leave the outage in step 2, as one batch
                confirmations.domainOff(d.powerDomain(), d.ts(), out);
                declarations.add(Declaration.powerDomainOff(d.powerDomain()));
            }
        } else if (e instanceof Health h) {
            if (!options.predictionsFromInput()) {
                detector.healthSample(h, declarations);
            }
        } else if (e instanceof Prediction p) {
            // a prediction whose window ends after the input never happens, as a temperature timer
            if (options.predictionsFromInput() && p.ts() <= inputEnd) {
                declarations.add(Declaration.predicted(p.host(), p.rule(), p.sensor(), p.value()));
            }
        } else if (e instanceof Maintenance m) {
            fleet.host(m.host()).inMaintenance(true);
            declarations.add(Declaration.maintenance(m));
        } else if (e instanceof MaintenanceEnd me) {
            HostState hs = fleet.host(me.host());
            declarations.removeIf(
                    d -> d.kind() == IncidentKind.MAINTENANCE && d.host().equals(hs.id));
            drains.maintenanceEnd(hs, me.ts(), out);
        } else if (e instanceof OperatorConfirm oc) {
            confirmations.confirm(oc, out);
        } else if (e instanceof SimFault sf) {
            sim.add(sf);
        } else if (e instanceof CommandResultEvent r) {
            // results are step 3 of their instant, after its timers and declarations
            results.add(r);
        }
    }

    /** Step 2: a declaration, by a registered host, to the stage that makes it. */
    private void declare(Declaration d, long t, Output out) {
        if (d.powerDomain() != null) {
            incidents.changed();
            correlator.domainOffInOutage(d.powerDomain(), t, out);
            return;
        }
        HostState hs = fleet.hosts().get(d.host());
        if (!fleet.registeredHere(hs)) {
            return;
        }
        incidents.changed();
        if (d.kind() == IncidentKind.HOST_FAILURE) {
            correlator.powerOffInOutage(hs, t, out);
        } else {
            drains.declare(d, hs, t, out);
        }
    }
}
