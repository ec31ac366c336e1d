package io.vmres.engine;

import io.vmres.engine.detect.Correlation;
import io.vmres.engine.detect.HealthRules;
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
import io.vmres.engine.event.Prediction;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import io.vmres.engine.execute.Command;
import io.vmres.engine.execute.Dependencies;
import io.vmres.engine.execute.HostPart;
import io.vmres.engine.execute.Incident;
import io.vmres.engine.execute.MapJob;
import io.vmres.engine.execute.Timer;
import io.vmres.engine.execute.VmJob;
import io.vmres.engine.execute.VmJob.Phase;
import io.vmres.engine.fleet.FailedDomains;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.plan.Admission;
import io.vmres.engine.plan.FleetPlanning;
import io.vmres.engine.plan.PlacementRequest;
import io.vmres.engine.plan.PlacementView;
import io.vmres.engine.sim.SimHypervisor;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The decisions of one cluster, as a deterministic discrete-event machine over event time: host
 * registry and fleet view, channel-loss detection and batch classification, incidents, placement,
 * execution with in-flight limits and retries, and (in replay) the simulated hypervisor. No Flink
 * types: the Flink operator only buffers input until the watermark passes it and hands it over in
 * (ts, seq) order.
 *
 * <p>Contract of the driver:
 *
 * <ol>
 *   <li>{@link #advance} is called with strictly increasing {@code t}; every input event of instant
 *       {@code t} is handed over in one call, sorted by {@code seq}. Before it handles them, the
 *       engine runs all of its own work due before {@code t} (timers, simulated answers, command
 *       timeouts), instant by instant.
 *   <li>{@link #nextDue()} tells when the engine next has work of its own; the driver calls {@code
 *       advance(nextDue(), List.of())} once nothing of the input precedes it.
 *   <li>{@link #endOfInput(long)} says the recording (or the stream) ended at {@code lastTs}: no
 *       channel loss after it happens. The driver goes on calling {@code advance} until {@code
 *       nextDue()} is {@link Long#MAX_VALUE}.
 *   <li>{@link #giveUpAtEnd(long, Output)} is called once, when every cluster is done, with the
 *       global end time of the replay: VMs still waiting for a dependency are given up then.
 * </ol>
 */
public final class ClusterEngine implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How long the live job keeps an ended incident after its last line, by default. */
    public static final long DEFAULT_ENDED_RETENTION_MS = Duration.ofHours(1).toMillis();

    /** Ended incidents are looked for at most once per event-time minute. */
    private static final long PRUNE_PERIOD_MS = Duration.ofMinutes(1).toMillis();

    /** Who answers commands: the engine's own simulated hypervisor, or connectors via results. */
    public enum Hypervisor {
        SIMULATED,
        EXTERNAL
    }

    private static final String HF = "HOST_FAILURE";
    private static final String NC = "NEEDS_CONFIRMATION";
    private static final String OUTAGE = "TELEMETRY_OUTAGE";
    private static final String ISOLATED = "HOST_ISOLATED";
    private static final String PREDICTED = "PREDICTED_FAILURE";
    private static final String MAINTENANCE = "MAINTENANCE";

    private final String cluster;
    private final Settings settings;
    private final Hypervisor hypervisor;
    private FleetPlanning planning;
    private final SimHypervisor sim = new SimHypervisor();

    private final Fleet fleet;

    /** The fleet's maps, shared with it. */
    private final TreeMap<String, HostState> hosts;

    private final TreeMap<String, VmState> vms;
    private final TreeMap<String, HealthRules> health = new TreeMap<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long timerSeq;
    private long now = Long.MIN_VALUE;
    private long inputEnd = Long.MAX_VALUE;

    private final LinkedHashMap<String, Incident> incidents = new LinkedHashMap<>();
    private int incidentSeq;
    private String openOutage;
    private final TreeMap<String, Command> inflight = new TreeMap<>();
    private final TreeMap<String, Integer> perTarget = new TreeMap<>();
    private int clusterInflight;

    /** Declarations asked by the input events of this instant, made in its step 2. */
    private final List<Declaration> declarations = new ArrayList<>();

    private final List<CommandResultEvent> results = new ArrayList<>();

    /** VMs named by a give-up alert. */
    private final TreeSet<String> givenUp = new TreeSet<>();

    private final Dependencies dependencies;

    /** Null in the state of an engine checkpointed before modes existed: parallel. */
    private final ExecutionMode mode;

    private boolean dirty;
    private transient Output out;

    /** The fleet view told to dashboards; null in engines checkpointed before it existed. */
    private HostStates hostStates;

    /** The input of this instant may change a host's view; of its VMs' sizes too (inventory). */
    private boolean hostInput;

    private boolean inventoryInput;

    /** A declaration asked by an input event, made in step 2 of its instant. */
    private final boolean predictionsFromInput;

    /** How long an ended incident is kept after its last line; null: for ever (replay). */
    private Long endedRetentionMs;

    /** The first instant at which ended incidents are looked for again. */
    private long nextPruneTs = Long.MIN_VALUE;

    private record Declaration(
            String kind,
            String host,
            String rule,
            String sensor,
            double value,
            Maintenance maintenance)
            implements Serializable {}

    public ClusterEngine(String cluster, Settings settings, Hypervisor hypervisor) {
        this(cluster, settings, hypervisor, false);
    }

    /**
     * @param predictionsFromInput health samples are judged upstream (the job's health stage) and
     *     arrive as {@link Prediction} events; the engine does not judge them itself
     */
    public ClusterEngine(
            String cluster,
            Settings settings,
            Hypervisor hypervisor,
            boolean predictionsFromInput) {
        this(cluster, settings, hypervisor, predictionsFromInput, ExecutionMode.PARALLEL);
    }

    /**
     * @param mode how recoveries are executed; {@link ExecutionMode#SERIAL} is a benchmark's
     *     baseline, never a recording's setting
     */
    public ClusterEngine(
            String cluster,
            Settings settings,
            Hypervisor hypervisor,
            boolean predictionsFromInput,
            ExecutionMode mode) {
        this.mode = mode;
        this.predictionsFromInput = predictionsFromInput;
        this.cluster = cluster;
        this.settings = settings;
        this.hypervisor = hypervisor;
        this.fleet = new Fleet(cluster, settings);
        this.hosts = fleet.hosts;
        this.vms = fleet.vms;
        this.dependencies = new Dependencies(fleet, incidents, givenUp);
        this.planning = new FleetPlanning(cluster);
    }

    /**
     * The cluster's failover planning: ledger, prestaged plans, admission view (made afresh for an
     * engine restored from a savepoint of a version without it).
     */
    public FleetPlanning planning() {
        if (planning == null) {
            planning = new FleetPlanning(cluster);
        }
        return planning;
    }

    public String cluster() {
        return cluster;
    }

    /**
     * Drops, at most once per event-time minute, every incident that has ended and can no longer
     * take part in a decision, once its last line is {@code retentionMs} old (see docs/job.md). Set
     * by the live job only: a replay needs every incident's figures at its end and never prunes.
     */
    public void retainEnded(long retentionMs) {
        if (retentionMs < 0) {
            throw new IllegalArgumentException("retention must not be negative: " + retentionMs);
        }
        this.endedRetentionMs = retentionMs;
    }

    /** The incidents held in the state now. */
    public int incidentsHeld() {
        return incidents.size();
    }

    /** The VM jobs and host parts held in the state now, over every incident. */
    public int workHeld() {
        int n = 0;
        for (Incident inc : incidents.values()) {
            n += inc.jobs.size() + inc.parts.size() + inc.pendingMaps.size();
        }
        return n;
    }

    /** The commands issued so far by the incidents held in the state now. */
    public int commandsHeld() {
        int n = 0;
        for (Incident inc : incidents.values()) {
            n += inc.commandSeq;
        }
        return n;
    }

    /** Runs the engine's own work due before {@code t}, then the input events of {@code t}. */
    public void advance(long t, List<Event> eventsAtT, Output out) {
        this.out = out;
        try {
            runBefore(t);
            now = t;
            hostInput = out.wantsHostStates() && hostStates().touchedBy(eventsAtT);
            inventoryInput = hostInput && HostStates.inventory(eventsAtT);
            for (Event e : eventsAtT) {
                apply(e);
            }
            runInstant(t);
            if (endedRetentionMs != null && t >= nextPruneTs) {
                pruneEnded(t);
                nextPruneTs = Math.floorDiv(t, PRUNE_PERIOD_MS) * PRUNE_PERIOD_MS + PRUNE_PERIOD_MS;
            }
        } finally {
            this.out = null;
        }
    }

    /** The next instant at which the engine has work of its own, or {@link Long#MAX_VALUE}. */
    public long nextDue() {
        // losses and temperature windows after the end of input never happen: drop their timers
        while (!timers.isEmpty()
                && timers.peek().ts() > inputEnd
                && (timers.peek().kind() == Timer.LOSS || timers.peek().kind() == Timer.TEMP)) {
            timers.poll();
        }
        return timers.isEmpty() ? Long.MAX_VALUE : timers.peek().ts();
    }

    /** The input ended at {@code lastTs}. */
    public void endOfInput(long lastTs) {
        inputEnd = lastTs;
    }

    /** Gives up, at the replay's end time, the VMs still waiting for a dependency. */
    public void giveUpAtEnd(long endTs, Output out) {
        this.out = out;
        try {
            now = endTs;
            for (Incident inc : new ArrayList<>(incidents.values())) {
                List<VmJob> waiting = new ArrayList<>();
                for (VmJob j : inc.jobs.values()) {
                    if (j.restart
                            && j.phase == Phase.READY
                            && knownDown(inc, j.source)
                            && dependencies.of(j) != Dependencies.Verdict.RUN) {
                        waiting.add(j);
                    }
                }
                if (!waiting.isEmpty()) {
                    giveUp(
                            inc,
                            waiting,
                            "DEPENDENCY_UNMET",
                            "a dependency never ran by the end",
                            endTs);
                }
            }
            evaluateAll(endTs);
        } finally {
            this.out = null;
        }
    }

    /** The figures of every incident of this cluster so far, in the order they were opened. */
    public List<IncidentFigures> figures() {
        List<IncidentFigures> list = new ArrayList<>();
        for (Incident inc : incidents.values()) {
            list.add(figuresOf(inc));
        }
        return list;
    }

    private static IncidentFigures figuresOf(Incident inc) {
        TreeSet<String> unplaced = new TreeSet<>(inc.unplaced);
        unplaced.removeAll(inc.recovered);
        TreeSet<String> failed = new TreeSet<>(inc.failed);
        failed.removeAll(inc.recovered);
        failed.removeAll(unplaced);
        return new IncidentFigures(
                inc.id,
                inc.kind,
                List.copyOf(inc.everHosts),
                inc.state,
                inc.openedTs,
                inc.failureStartTs,
                inc.firstCommandTs,
                inc.lastCommandTs,
                inc.lastRecoveryTs,
                inc.recovered.size(),
                unplaced.size(),
                failed.size());
    }

    // ------------------------------------------------------------------ retention

    /**
     * Drops the incidents that ended more than the retention ago and that nothing can reach any
     * more: no work and no command of theirs is left, no host and no open outage names them, and a
     * failure waits for none of its hosts (it is CLOSED). Everything else is per host or per VM and
     * stays.
     */
    private void pruneEnded(long t) {
        Set<String> named = new TreeSet<>();
        if (openOutage != null) {
            named.add(openOutage);
        }
        for (HostState hs : hosts.values()) {
            for (String id :
                    new String[] {hs.incidentId, hs.predictedIncident, hs.maintenanceIncident}) {
                if (id != null) {
                    named.add(id);
                }
            }
        }
        long before = t - endedRetentionMs;
        incidents
                .values()
                .removeIf(
                        inc ->
                                inc.ended()
                                        && (inc.closed() || !inc.failureKind())
                                        && inc.inFlight == 0
                                        && !inc.anyActiveJob()
                                        && !named.contains(inc.id)
                                        && inc.lastLineTs <= before);
    }

    // ------------------------------------------------------------------ the instant

    private void runBefore(long t) {
        while (!timers.isEmpty() && timers.peek().ts() < t) {
            long s = timers.peek().ts();
            now = s;
            runInstant(s);
        }
    }

    /** Steps 2 to 4 of the spec's order of one instant (step 1, the input, is done). */
    private void runInstant(long t) {
        boolean timed = !timers.isEmpty() && timers.peek().ts() == t;
        while (!timers.isEmpty()
                && timers.peek().ts() == t
                && timers.peek().kind() < Timer.ANSWER) {
            fire(timers.poll(), t);
        }
        List<Declaration> asked = new ArrayList<>(declarations);
        declarations.clear();
        for (Declaration d : asked) {
            declare(d, t);
        }
        pump(t);
        while (!timers.isEmpty() && timers.peek().ts() == t) {
            fire(timers.poll(), t);
        }
        List<CommandResultEvent> got = new ArrayList<>(results);
        results.clear();
        for (CommandResultEvent r : got) {
            Command c = inflight.get(r.commandId());
            if (c != null) { // duplicate or unknown ids are ignored
                finish(c, r.status(), r.detail(), t, true);
            }
        }
        pump(t);
        Admission a = planning().sync(fleet, failedDomains(), t);
        if (a != null && out != null) {
            out.admission(AdmissionOut.of(cluster, a, t));
        }
        if ((timed || hostInput) && out != null && out.wantsHostStates()) {
            hostStates().report(t, out, inventoryInput);
        }
        hostInput = false;
        inventoryInput = false;
    }

    private HostStates hostStates() {
        if (hostStates == null) {
            hostStates = new HostStates(cluster, fleet, incidents);
        }
        return hostStates;
    }

    private void schedule(long ts, int kind, String key, long aux) {
        timers.add(new Timer(ts, kind, timerSeq++, key, aux));
    }

    private void fire(Timer tm, long t) {
        switch (tm.kind()) {
            case Timer.LOSS:
                channelTimer(hosts.get(tm.key()), (int) tm.aux(), t);
                break;
            case Timer.DECIDE:
                {
                    HostState hs = hosts.get(tm.key());
                    // stale when the host beat again since, or is classified already
                    if (hs.silent()
                            && hs.lossTime() == tm.aux()
                            && fleet.registeredHere(hs)
                            && (hs.status == Status.NORMAL || hs.status == Status.ISOLATED)) {
                        classify(t);
                    }
                    break;
                }
            case Timer.ISOLATION:
                isolationTimer(hosts.get(tm.key()), tm.aux(), t);
                break;
            case Timer.TEMP:
                if (health.get(tm.key()).windowEnd(t, settings) && t <= inputEnd) {
                    declare(
                            new Declaration(PREDICTED, tm.key(), "cpu_temp", "cpu_temp_c", 0, null),
                            t);
                }
                break;
            default:
                answer(inflight.get(tm.key()), t);
        }
    }

    // ------------------------------------------------------------------ input events

    private void apply(Event e) {
        planning().touch(e, vms);
        if (e instanceof Heartbeat hb) {
            heartbeat(hb);
            return;
        }
        dirty = true;
        if (e instanceof HostEvent he) {
            hostEvent(he);
        } else if (e instanceof HostRemoved hr) {
            HostState hs = hosts.get(hr.host());
            if (hs != null && hs.registered) {
                hs.removedTs = hr.ts();
                leave(hs, hr.ts(), true);
            }
        } else if (e instanceof VmEvent ve) {
            vmEvent(ve);
        } else if (e instanceof VmRemoved vr) {
            VmState vs = vms.get(vr.vm());
            if (vs != null) {
                removeVm(vs);
            }
        } else if (e instanceof Power p) {
            HostState hs = fleet.host(p.host());
            hs.power = p.state();
            if ("off".equals(p.state()) && hs.status == Status.OUTAGE) {
                declarations.add(new Declaration(HF, hs.id, null, null, 0, null));
            }
        } else if (e instanceof Health h) {
            if (!predictionsFromInput) {
                healthSample(h);
            }
        } else if (e instanceof Prediction p) {
            // a prediction whose window ends after the input never happens, as a temperature timer
            if (predictionsFromInput && p.ts() <= inputEnd) {
                declarations.add(
                        new Declaration(
                                PREDICTED, p.host(), p.rule(), p.sensor(), p.value(), null));
            }
        } else if (e instanceof Maintenance m) {
            fleet.host(m.host()).inMaintenance = true;
            declarations.add(new Declaration(MAINTENANCE, m.host(), null, null, 0, m));
        } else if (e instanceof MaintenanceEnd me) {
            maintenanceEnd(fleet.host(me.host()), me.ts());
        } else if (e instanceof OperatorConfirm oc) {
            confirm(oc);
        } else if (e instanceof SimFault sf) {
            sim.add(sf);
        } else if (e instanceof CommandResultEvent r) {
            // results are step 3 of their instant, after its timers and declarations
            results.add(r);
        }
    }

    private void heartbeat(Heartbeat hb) {
        HostState hs = fleet.host(hb.host());
        int c = "mgmt".equals(hb.channel()) ? HostState.MGMT : HostState.STORAGE;
        hs.used[c] = true;
        hs.lastBeat[c] = Math.max(hs.lastBeat[c], hb.ts());
        hs.lost[c] = false;
        if (!hs.armed[c]) {
            hs.armed[c] = true;
            schedule(hs.lastBeat[c] + settings.heartbeatTimeoutMs(), Timer.LOSS, hs.id, c);
        }
        if (hs.status == Status.ISOLATED && c == HostState.MGMT) {
            dirty = true;
            Incident inc = incidents.get(hs.incidentId);
            hs.status = Status.NORMAL;
            hs.incidentId = null;
            setState(inc, "CLOSED", hb.ts());
        } else if (hs.status == Status.FAILED || hs.status == Status.OUTAGE) {
            hs.beatSince[c] = true;
            if (hs.beatOnEveryChannelSince()) {
                rejoin(hs, hb.ts());
            }
        }
    }

    private void hostEvent(HostEvent he) {
        HostState hs = fleet.host(he.host());
        if (cluster.equals(he.cluster())) {
            hs.record = he;
            hs.registered = true;
        } else {
            // the host moved to another cluster: from now on it is not registered here
            boolean was = fleet.registeredHere(hs);
            hs.record = he;
            if (was) {
                leave(hs, he.ts(), false);
            }
            hs.registered = false;
        }
    }

    private void vmEvent(VmEvent ve) {
        VmState vs = vms.get(ve.vm());
        HostState to = hosts.get(ve.host());
        if (to != null && to.record != null && !cluster.equals(to.cluster())) {
            if (vs != null) {
                removeVm(vs); // it left this cluster's fleet view
            }
            return;
        }
        to = fleet.host(ve.host());
        if (vs == null) {
            vs = new VmState(ve.vm(), ve);
            vms.put(vs.id, vs);
        } else {
            if (!vs.host.equals(ve.host())) {
                unowe(vs.id); // inventory wins: placed on another host, owed by nobody
                hosts.get(vs.host).vms.remove(vs.id);
            }
            vs.record = ve;
            vs.host = ve.host();
        }
        vs.down = false;
        vs.ghost = false;
        to.vms.add(vs.id);
    }

    private void removeVm(VmState vs) {
        unowe(vs.id);
        HostState hs = hosts.get(vs.host);
        if (hs != null) {
            hs.vms.remove(vs.id);
        }
        vms.remove(vs.id);
    }

    /** Every incident drops the VM's work not yet issued; an answer in flight recovers nothing. */
    private void unowe(String vm) {
        for (Incident inc : incidents.values()) {
            VmJob j = inc.jobs.get(vm);
            if (j != null && j.active()) {
                drop(j);
            }
        }
    }

    private void drop(VmJob j) {
        if (j.phase != Phase.IN_FLIGHT) {
            unreserve(j);
        }
        j.phase = Phase.DROPPED;
    }

    private void unreserve(VmJob j) {
        if (j.target != null
                && (j.phase == Phase.PLACED
                        || j.phase == Phase.MAPPING
                        || j.phase == Phase.READY)) {
            HostState th = hosts.get(j.target);
            if (th != null) {
                th.incoming.remove(j.vm);
            }
        }
    }

    /**
     * A host is removed, or moved out of this cluster. A removed host's VMs leave the fleet view
     * and it leaves every incident's work (spec: Hosts over time). A host that moved on is only no
     * longer registered here: answers under way still count, nothing more is issued from it (its
     * record now names another cluster), and its incidents still wait for it (only a removal ends
     * that wait).
     */
    private void leave(HostState hs, long t, boolean removed) {
        hs.registered = false;
        if (removed) {
            List<VmState> on = new ArrayList<>();
            for (VmState vs : vms.values()) {
                if (vs.host.equals(hs.id)) {
                    on.add(vs);
                }
            }
            for (VmState vs : on) {
                removeVm(vs);
            }
        }
        for (Incident inc : incidents.values()) {
            HostPart part = inc.parts.get(hs.id);
            if (part == null || inc.closed()) {
                continue;
            }
            part.removed = removed;
            part.fenceNeeded = false;
            if (!removed) {
                continue;
            }
            for (VmJob j : inc.jobs.values()) {
                if (j.active() && j.source.equals(hs.id)) {
                    drop(j);
                }
            }
            inc.pendingMaps.removeIf(m -> m.host.equals(hs.id));
            if (removed && inc.kind.equals(ISOLATED)) {
                setState(inc, "CLOSED", t);
            }
        }
        hs.status = Status.NORMAL;
        hs.incidentId = null;
        hs.hardDown = false;
        evaluateAll(t);
    }

    private void healthSample(Health h) {
        HealthRules rules = health.get(h.host());
        if (rules == null) {
            rules = new HealthRules();
            health.put(h.host(), rules);
        }
        if ("cpu_temp_c".equals(h.sensor())) {
            long end = rules.temperature(h.ts(), h.value(), settings);
            if (end != Long.MIN_VALUE) {
                schedule(end, Timer.TEMP, h.host(), 0);
            }
            return;
        }
        String rule = rules.sample(h, settings);
        if (rule != null) {
            declarations.add(
                    new Declaration(PREDICTED, h.host(), rule, h.sensor(), h.value(), null));
        }
    }

    private void maintenanceEnd(HostState hs, long t) {
        hs.inMaintenance = false;
        declarations.removeIf(d -> d.kind().equals(MAINTENANCE) && d.host().equals(hs.id));
        if (hs.maintenanceIncident == null) {
            return;
        }
        Incident inc = incidents.get(hs.maintenanceIncident);
        hs.maintenanceIncident = null;
        endDrain(inc, t);
    }

    /** A drain ends: migrations not yet issued are dropped, one in flight is not retried. */
    private void endDrain(Incident inc, long t) {
        for (VmJob j : inc.jobs.values()) {
            if (j.phase == Phase.IN_FLIGHT) {
                j.noRetry = true;
            } else if (j.active()) {
                drop(j);
            }
        }
        setState(inc, "CLOSED", t);
    }

    private void confirm(OperatorConfirm oc) {
        long t = oc.ts();
        HostState hs = hosts.get(oc.host());
        String why = null;
        Incident inc = null;
        HostPart part = null;
        if (!fleet.registeredHere(hs)) {
            why = "host is not registered";
        } else if (hs.status == Status.ISOLATED) {
            why = "host is isolated, not down";
        } else if (hs.status == Status.OUTAGE) {
            why = "host is in a telemetry outage";
        } else if (hs.status != Status.FAILED) {
            why = hs.silent() ? "host is not declared yet" : "host is alive";
        } else {
            inc = incidents.get(hs.incidentId);
            part = inc.parts.get(hs.id);
            if (!inc.kind.equals(NC)) {
                why = "host is in a HOST_FAILURE incident";
            } else if (part.confirmed) {
                why = "host is already confirmed";
            } else if (hs.lastBeatAny() + settings.heartbeatTimeoutMs() >= t) {
                why = "host sent heartbeats within the timeout";
            }
        }
        if (why != null) {
            out.alert(new AlertOut("CONFIRM_IGNORED", null, oc.host(), List.of(), why, t));
            return;
        }
        part.confirmed = true;
        hs.hardDown = true;
        hs.lastDeclaredTs = Math.max(hs.lastDeclaredTs, hs.statusTs);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("ts", Times.format(t));
        c.put("requestedBy", oc.requestedBy());
        c.put("reason", oc.reason());
        evidenceMap(inc, "confirmed").put(hs.id, c);
        writeLine(inc, t);
        // every HA VM on the host now is owed, planned after the input events of this instant
        for (String v : hs.vms) {
            VmState vs = vms.get(v);
            if (vs.ha()) {
                addJob(inc, vs, true);
            }
        }
    }

    // ------------------------------------------------------------------ detection

    private void channelTimer(HostState hs, int c, long t) {
        long T = settings.heartbeatTimeoutMs();
        hs.armed[c] = false;
        if (hs.lastBeat[c] + T > t) {
            hs.armed[c] = true;
            schedule(hs.lastBeat[c] + T, Timer.LOSS, hs.id, c);
            return;
        }
        if (t > inputEnd) {
            return; // the silence after the recording is its end, never a loss
        }
        hs.lost[c] = true;
        hs.lossTs[c] = t;
        long ooo = settings.outOfOrdernessMs();
        if (hs.silent()) {
            schedule(t + ooo, Timer.DECIDE, hs.id, hs.lossTime());
        } else if (c == HostState.MGMT && hs.used[HostState.STORAGE]) {
            schedule(t + ooo, Timer.ISOLATION, hs.id, t);
        }
    }

    private void isolationTimer(HostState hs, long mgmtLoss, long t) {
        if (hs.status != Status.NORMAL
                || !fleet.registeredHere(hs)
                || !hs.lost[HostState.MGMT]
                || hs.lossTs[HostState.MGMT] != mgmtLoss
                || !hs.used[HostState.STORAGE]
                || hs.lost[HostState.STORAGE]) {
            return;
        }
        dirty = true;
        Incident inc = open(ISOLATED, t);
        inc.hosts.add(hs.id);
        inc.everHosts.add(hs.id);
        inc.parts.put(hs.id, part(hs, t));
        inc.failureStartTs = hs.lastBeat[HostState.MGMT];
        inc.evidence.put("lastMgmtHeartbeat", Times.format(hs.lastBeat[HostState.MGMT]));
        inc.evidence.put("storageAlive", true);
        hs.status = Status.ISOLATED;
        hs.incidentId = inc.id;
        hs.statusTs = t;
        writeLine(inc, t);
    }

    private HostPart part(HostState hs, long t) {
        String rack = hs.record == null ? null : hs.record.rack();
        String pd = hs.record == null ? null : hs.record.powerDomain();
        return new HostPart(hs.id, rack, pd, t, hs.lossTime(), hs.lastBeatAny());
    }

    /**
     * Classifies every silent, unclassified host of the cluster in one batch (spec: Host failure).
     */
    private void classify(long t) {
        dirty = true;
        long T = settings.heartbeatTimeoutMs();
        int registered = 0;
        int recent = 0;
        List<HostState> batch = new ArrayList<>();
        for (HostState hs : hosts.values()) {
            if (!fleet.registeredHere(hs)) {
                continue;
            }
            registered++;
            if (!hs.silent()) {
                continue;
            }
            long loss = hs.lossTime();
            if (loss > t - T && loss <= t) {
                recent++;
            }
            if (hs.status == Status.NORMAL || hs.status == Status.ISOLATED) {
                batch.add(hs);
            }
        }
        boolean outage =
                openOutage != null || recent >= settings.massSilenceFraction() * registered - 1e-9;
        List<HostState> failures = new ArrayList<>();
        List<HostState> unconfirmed = new ArrayList<>();
        List<HostState> silent = new ArrayList<>();
        for (HostState hs : batch) {
            if (hs.status == Status.ISOLATED) {
                // storage lost as well: the isolation ends, the host is classified as silent
                Incident iso = incidents.get(hs.incidentId);
                hs.status = Status.NORMAL;
                hs.incidentId = null;
                setState(iso, "CLOSED", t);
            }
            if ("off".equals(hs.power)) {
                failures.add(hs);
            } else if (outage) {
                silent.add(hs);
            } else if (hs.record != null && !hs.record.bmc()) {
                unconfirmed.add(hs);
            } else {
                failures.add(hs);
            }
        }
        if (!silent.isEmpty()) {
            joinOutage(silent, recent, registered, t);
        }
        for (List<HostState> g : Correlation.groups(failures)) {
            declareFailed(HF, g, t);
        }
        for (List<HostState> g : Correlation.groups(unconfirmed)) {
            declareFailed(NC, g, t);
        }
    }

    private void joinOutage(List<HostState> silent, int recent, int registered, long t) {
        Incident inc = openOutage == null ? null : incidents.get(openOutage);
        boolean fresh = inc == null;
        if (fresh) {
            inc = open(OUTAGE, t);
            openOutage = inc.id;
            inc.evidence.put("silentHosts", recent);
            inc.evidence.put("registeredHosts", registered);
        }
        for (HostState hs : silent) {
            inc.hosts.add(hs.id);
            inc.everHosts.add(hs.id);
            inc.parts.put(hs.id, part(hs, t));
            hs.status = Status.OUTAGE;
            hs.incidentId = inc.id;
            hs.statusTs = t;
            java.util.Arrays.fill(hs.beatSince, false);
        }
        if (fresh) {
            inc.failureStartTs = minLastBeat(inc);
        }
        writeLine(inc, t);
    }

    private static Long minLastBeat(Incident inc) {
        Long min = null;
        for (HostPart p : inc.parts.values()) {
            if (p.lastBeat != HostState.NEVER && (min == null || p.lastBeat < min)) {
                min = p.lastBeat;
            }
        }
        return min == null ? inc.openedTs : min;
    }

    /** A group of failed hosts joins a correlated open incident of its kind, or opens its own. */
    private void declareFailed(String kind, List<HostState> group, long t) {
        long T = settings.heartbeatTimeoutMs();
        Incident target = null;
        for (Incident inc : incidents.values()) {
            if (!inc.kind.equals(kind) || inc.ended()) {
                continue;
            }
            for (HostPart p : inc.parts.values()) {
                for (HostState g : group) {
                    boolean domain =
                            g.record != null
                                    && ((p.rack != null && p.rack.equals(g.record.rack()))
                                            || (p.powerDomain != null
                                                    && p.powerDomain.equals(
                                                            g.record.powerDomain())));
                    if (domain && Math.abs(p.lossTs - g.lossTime()) <= T) {
                        target = inc;
                    }
                }
                if (target != null) {
                    break;
                }
            }
            if (target != null) {
                break;
            }
        }
        boolean fresh = target == null;
        Incident inc = fresh ? open(kind, t) : target;
        for (HostState hs : group) {
            nameFailed(inc, hs, t);
        }
        if (fresh) {
            inc.failureStartTs = minLastBeat(inc);
        }
        writeLine(inc, t);
    }

    private void nameFailed(Incident inc, HostState hs, long t) {
        HostPart part = part(hs, t);
        inc.parts.put(hs.id, part);
        inc.hosts.add(hs.id);
        inc.everHosts.add(hs.id);
        evidenceMap(inc, "lastHeartbeat").put(hs.id, Times.format(hs.lastBeatAny()));
        evidenceMap(inc, "power").put(hs.id, hs.power);
        boolean hf = inc.kind.equals(HF);
        hs.status = Status.FAILED;
        hs.incidentId = inc.id;
        hs.statusTs = t;
        hs.hardDown = hf;
        hs.lastDeclaredTs = t;
        java.util.Arrays.fill(hs.beatSince, false);
        // drain then failure: the drain ends, what it has not moved is owed by the failure
        for (String id : new String[] {hs.predictedIncident, hs.maintenanceIncident}) {
            Incident drain = id == null ? null : incidents.get(id);
            if (drain != null && !drain.ended()) {
                for (VmJob j : drain.jobs.values()) {
                    if (j.active()) {
                        drop(j);
                    }
                }
                setState(drain, "CLOSED", t);
            }
        }
        hs.predictedIncident = null;
        hs.maintenanceIncident = null;
        for (String v : hs.vms) {
            VmState vs = vms.get(v);
            vs.down = true;
            if (hf && vs.ha()) {
                addJob(inc, vs, true);
            }
        }
        if (hf && hs.record != null && hs.record.bmc() && !"off".equals(hs.power)) {
            part.fenceNeeded = true;
        }
    }

    private void addJob(Incident inc, VmState vs, boolean restart) {
        VmJob old = inc.jobs.get(vs.id);
        if (old != null && old.phase != Phase.DROPPED) {
            return; // owed once per incident
        }
        VmJob j = new VmJob(inc.id, vs.id, vs.host, restart);
        if (old != null) {
            // attempts count per incident, action and VM: a new job goes on from the dropped one
            j.attempts = old.attempts;
            j.failedTargets.addAll(old.failedTargets);
        }
        inc.jobs.put(vs.id, j);
        dirty = true;
    }

    private void rejoin(HostState hs, long t) {
        dirty = true;
        Incident inc = incidents.get(hs.incidentId);
        HostPart part = inc.parts.get(hs.id);
        part.rejoined = true;
        if (hs.status == Status.FAILED) {
            if (inc.kind.equals(HF) || part.confirmed) {
                // a failed host rejoins empty: what is still on it is gone
                for (String v : hs.vms) {
                    vms.get(v).ghost = true;
                }
                hs.vms.clear();
                if (!knownDown(inc, hs.id) && !part.fenceInFlight) {
                    // back without being known down, and no fence under way that would make it so:
                    // its
                    // VMs not yet under way are not owed any more
                    for (VmJob j : inc.jobs.values()) {
                        if (j.active() && j.source.equals(hs.id) && j.phase != Phase.IN_FLIGHT) {
                            drop(j);
                        }
                    }
                }
            } else {
                for (String v : hs.vms) {
                    vms.get(v).down = false; // never confirmed: its VMs ran on
                }
            }
        }
        hs.status = Status.NORMAL;
        hs.incidentId = null;
        hs.hardDown = false;
        evaluate(inc, t);
    }

    // ------------------------------------------------------------------ declarations of step 2

    private void declare(Declaration d, long t) {
        HostState hs = hosts.get(d.host());
        if (!fleet.registeredHere(hs)) {
            return;
        }
        dirty = true;
        if (d.kind().equals(HF)) {
            // a host of an outage whose power reads off leaves it and is a host failure
            if (hs.status != Status.OUTAGE || !"off".equals(hs.power)) {
                return;
            }
            Incident o = incidents.get(hs.incidentId);
            o.parts.get(hs.id).left = true;
            o.hosts.remove(hs.id);
            hs.status = Status.NORMAL;
            hs.incidentId = null;
            writeLine(o, t);
            evaluate(o, t);
            declareFailed(HF, List.of(hs), t);
            return;
        }
        if (hs.status == Status.FAILED) {
            return;
        }
        boolean predicted = d.kind().equals(PREDICTED);
        if (predicted ? hs.predictedIncident != null : hs.maintenanceIncident != null) {
            return; // one open drain of each kind per host
        }
        String other = predicted ? hs.maintenanceIncident : hs.predictedIncident;
        if (other != null && !incidents.get(other).ended()) {
            // a drain under way already owes every VM of the host: a second one could only owe them
            // again and never move them itself; the operator is told instead
            if (predicted) {
                hs.draining = true;
            }
            out.alert(
                    new AlertOut(
                            "ALREADY_DRAINING",
                            other,
                            hs.id,
                            List.of(),
                            d.kind() + " of " + hs.id + " while " + other + " drains it",
                            t));
            return;
        }
        Incident inc = open(d.kind(), t);
        inc.hosts.add(hs.id);
        inc.everHosts.add(hs.id);
        inc.parts.put(hs.id, part(hs, t));
        inc.failureStartTs = t;
        if (predicted) {
            hs.draining = true;
            hs.predictedIncident = inc.id;
            inc.deadline = t + settings.evacuationLeadTimeMs();
            inc.evidence.put("rule", d.rule());
            inc.evidence.put("sensor", d.sensor());
            if (!d.rule().equals("cpu_temp")) {
                inc.evidence.put("value", d.value());
            }
        } else {
            hs.maintenanceIncident = inc.id;
            inc.deadline = d.maintenance().deadline();
            inc.evidence.put("reason", d.maintenance().reason());
            inc.evidence.put("requestedBy", d.maintenance().requestedBy());
        }
        inc.evidence.put("deadline", Times.format(inc.deadline));
        writeLine(inc, t);
        for (String v : hs.vms) {
            VmState vs = vms.get(v);
            if (!vs.down && !owedByDrain(v)) {
                addJob(inc, vs, false);
            }
        }
        evaluate(inc, t);
    }

    private boolean owedByDrain(String vm) {
        for (Incident inc : incidents.values()) {
            VmJob j = inc.jobs.get(vm);
            if (j != null && j.active() && !j.restart) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ execution

    private Incident open(String kind, long t) {
        String id = String.format("inc-%s-%04d", cluster, ++incidentSeq);
        Incident inc = new Incident(id, kind, t);
        incidents.put(id, inc);
        return inc;
    }

    /** Known down (spec: Host failure): power off or a fence that succeeded; confirmed for NC. */
    private boolean knownDown(Incident inc, String host) {
        HostPart p = inc.parts.get(host);
        if (p == null || p.removed) {
            return false;
        }
        if (inc.kind.equals(NC)) {
            return p.confirmed;
        }
        HostState hs = hosts.get(host);
        return "off".equals(hs.power) || p.fenceSucceeded;
    }

    private boolean serial() {
        return mode == ExecutionMode.SERIAL;
    }

    private boolean canIssue(String target) {
        if (clusterInflight >= (serial() ? 1 : settings.maxInFlightPerCluster())) {
            return false;
        }
        return target == null
                || perTarget.getOrDefault(target, 0) < settings.maxInFlightPerTarget();
    }

    private void pump(long t) {
        if (!dirty) {
            return;
        }
        dirty = false;
        for (int pass = 0; pass < 1000; pass++) {
            FailedDomains domains = failedDomains();
            boolean progress = issueFences(t);
            progress |= placeRound(t, domains);
            if (serial()) {
                // the baseline finishes a VM (map, then restart) before it maps the next one
                progress |= issueMoves(t, domains);
                progress |= issueMaps(t, domains);
            } else {
                // maps first: a restart needs its map, and a map frees its slot in 2 s
                progress |= issueMaps(t, domains);
                progress |= issueMoves(t, domains);
            }
            if (!progress) {
                break;
            }
        }
        evaluateAll(t);
    }

    /**
     * The incidents that may still have work: an incident that reached RECOVERED, PARTIAL or CLOSED
     * has no job left (it takes no VM on after that), so the rounds skip them.
     */
    private List<Incident> working() {
        List<Incident> list = new ArrayList<>();
        for (Incident inc : incidents.values()) {
            if (!inc.ended()) {
                list.add(inc);
            }
        }
        return list;
    }

    private boolean issueFences(long t) {
        boolean progress = false;
        for (Incident inc : working()) {
            if (!inc.kind.equals(HF)) {
                continue;
            }
            for (HostPart p : inc.parts.values()) {
                if (p.fenceNeeded
                        && !p.fenceInFlight
                        && !p.fenceSucceeded
                        && !p.fenceExhausted
                        && !p.removed
                        && !p.rejoined
                        && canIssue(null)) {
                    p.fenceInFlight = true;
                    p.fenceAttempts++;
                    issue(
                            inc,
                            "FENCE_HOST",
                            p.host,
                            null,
                            null,
                            null,
                            null,
                            p.fenceAttempts,
                            null,
                            null,
                            t);
                    progress = true;
                }
            }
        }
        return progress;
    }

    private boolean placeRound(long t, FailedDomains domains) {
        List<PlacementRequest> requests = new ArrayList<>();
        Map<String, VmJob> byKey = new TreeMap<>();
        for (Incident inc : working()) {
            for (VmJob j : inc.jobs.values()) {
                if (j.phase != Phase.TO_PLACE || (j.restart && !knownDown(inc, j.source))) {
                    continue;
                }
                VmState vs = vms.get(j.vm);
                if (vs == null) {
                    j.phase = Phase.DROPPED;
                    continue;
                }
                requests.add(
                        new PlacementRequest(j.vm, inc.id, j.source, vs.priority(), j.restart));
                byKey.put(inc.id + "|" + j.vm, j);
            }
        }
        if (requests.isEmpty()) {
            return false;
        }
        View view = new View(byKey, domains);
        Map<String, String> placed = planning().place(requests, byKey, view, fleet, domains, now);
        TreeMap<String, List<VmJob>> unplaced = new TreeMap<>();
        for (PlacementRequest r : requests) {
            VmJob j = byKey.get(r.incidentId() + "|" + r.vm());
            String target = placed.get(r.vm());
            if (target != null) {
                j.target = target;
                j.phase = Phase.PLACED;
            } else {
                unplaced.computeIfAbsent(r.incidentId(), k -> new ArrayList<>()).add(j);
            }
        }
        for (Map.Entry<String, List<VmJob>> e : unplaced.entrySet()) {
            String why = planning().unplacedDetail(e.getValue());
            giveUp(incidents.get(e.getKey()), e.getValue(), "UNPLACED", why, t);
        }
        return true;
    }

    private boolean issueMaps(long t, FailedDomains domains) {
        boolean progress = false;
        for (Incident inc : working()) {
            for (MapJob m : new ArrayList<>(inc.pendingMaps)) {
                if (!usable(m.target)) {
                    // its target failed meanwhile: a retry in place cannot succeed, place the VMs
                    // again
                    inc.pendingMaps.remove(m);
                    replan(inc, m);
                    progress = true;
                } else if (knownDown(inc, m.host) && canIssue(m.target)) {
                    inc.pendingMaps.remove(m);
                    m.inFlight = true;
                    issue(
                            inc,
                            "MAP_DISKS",
                            m.host,
                            m.target,
                            null,
                            m.vms,
                            m.disks,
                            m.attempt,
                            m.priority,
                            m,
                            t);
                    progress = true;
                }
            }
        }
        TreeMap<String, List<VmJob>> groups = new TreeMap<>();
        for (Incident inc : working()) {
            for (VmJob j : inc.jobs.values()) {
                if (!j.restart || j.phase != Phase.PLACED) {
                    continue;
                }
                VmState vs = vms.get(j.vm);
                if (vs.disks().isEmpty() || j.mappedOn.contains(j.target)) {
                    j.phase = Phase.READY;
                    progress = true;
                    continue;
                }
                if (knownDown(inc, j.source)) {
                    groups.computeIfAbsent(
                                    inc.id
                                            + "|"
                                            + j.source
                                            + "|"
                                            + j.target
                                            + (serial() ? "|" + j.vm : ""),
                                    k -> new ArrayList<>())
                            .add(j);
                }
            }
        }
        List<List<VmJob>> order = new ArrayList<>(groups.values());
        order.sort(Comparator.comparingInt((List<VmJob> g) -> -maxPriority(g)));
        for (List<VmJob> g : order) {
            List<VmJob> ok = new ArrayList<>();
            for (VmJob j : g) {
                if (fleet.fits(j, j.target, domains, now)) {
                    ok.add(j);
                } else {
                    unreserve(j);
                    j.phase =
                            Phase.TO_PLACE; // its target became invalid before issue: placed again
                    progress = true;
                }
            }
            if (ok.isEmpty() || !canIssue(ok.get(0).target)) {
                continue;
            }
            ok.sort(byPriority());
            List<String> names = new ArrayList<>();
            List<String> disks = new ArrayList<>();
            for (VmJob j : ok) {
                names.add(j.vm);
                disks.addAll(vms.get(j.vm).disks());
                j.phase = Phase.MAPPING;
            }
            VmJob first = ok.get(0);
            Incident inc = incidents.get(first.incidentId);
            MapJob m =
                    new MapJob(
                            inc.id,
                            first.source,
                            first.target,
                            List.copyOf(names),
                            List.copyOf(disks),
                            maxPriority(ok));
            m.attempt = 1;
            m.inFlight = true;
            issue(inc, "MAP_DISKS", m.host, m.target, null, m.vms, m.disks, 1, m.priority, m, t);
            progress = true;
        }
        return progress;
    }

    private int maxPriority(List<VmJob> g) {
        int p = 0;
        for (VmJob j : g) {
            VmState vs = vms.get(j.vm);
            p = Math.max(p, vs == null ? 0 : vs.priority());
        }
        return p;
    }

    private Comparator<VmJob> byPriority() {
        return Comparator.comparingInt((VmJob j) -> -vms.get(j.vm).priority())
                .thenComparing(j -> j.vm)
                .thenComparing(j -> j.incidentId);
    }

    /**
     * The order in which ready restarts and migrations take free slots, earliest key first: a VM
     * that is down (a restart) cannot wait, its key is now; a migration can wait until its latest
     * start, its drain's deadline less the time the drain's moves not yet issued need one after
     * another (a bound that holds even when one target takes them all). So a drain comes after the
     * restarts until its deadline nears, then before them, drains in the order of their latest
     * starts. At an equal key a migration goes first, then priority decides.
     */
    private Comparator<VmJob> issueOrder(long t) {
        TreeMap<String, Long> latestStart = new TreeMap<>();
        for (Incident inc : working()) {
            if (inc.drainKind()) {
                long left = 0;
                for (VmJob j : inc.jobs.values()) {
                    if (j.active() && j.phase != Phase.IN_FLIGHT) {
                        left++;
                    }
                }
                latestStart.put(
                        inc.id, inc.deadline - left * SimHypervisor.latency("LIVE_MIGRATE_VM"));
            }
        }
        return Comparator.comparingLong(
                        (VmJob j) -> j.restart ? t : latestStart.getOrDefault(j.incidentId, t))
                .thenComparing((VmJob j) -> j.restart) // a drain at its latest start goes first
                .thenComparing(byPriority());
    }

    private boolean issueMoves(long t, FailedDomains domains) {
        boolean progress = false;
        List<VmJob> ready = new ArrayList<>();
        for (Incident inc : working()) {
            for (VmJob j : inc.jobs.values()) {
                if ((j.restart && j.phase == Phase.READY)
                        || (!j.restart && j.phase == Phase.PLACED)) {
                    ready.add(j);
                }
            }
        }
        ready.sort(issueOrder(t));
        for (VmJob j : ready) {
            if (!j.active()) {
                continue; // given up earlier in this pass
            }
            Incident inc = incidents.get(j.incidentId);
            if (j.restart) {
                if (!knownDown(inc, j.source)) {
                    continue;
                }
                Dependencies.Verdict deps = dependencies.of(j);
                if (deps == Dependencies.Verdict.DEAD) {
                    giveUp(
                            inc,
                            List.of(j),
                            "DEPENDENCY_UNMET",
                            "a dependency will not run again",
                            t);
                    progress = true;
                    continue;
                }
                j.waitingDeps = deps == Dependencies.Verdict.WAIT;
                if (j.waitingDeps) {
                    continue;
                }
            }
            if (!fleet.fits(j, j.target, domains, now)) {
                unreserve(j);
                j.phase = Phase.TO_PLACE;
                progress = true;
                continue;
            }
            if (!canIssue(j.target)) {
                continue;
            }
            j.attempts++;
            j.phase = Phase.IN_FLIGHT;
            VmState vs = vms.get(j.vm);
            issue(
                    inc,
                    j.restart ? "RESTART_VM" : "LIVE_MIGRATE_VM",
                    j.source,
                    j.target,
                    j.vm,
                    null,
                    null,
                    j.attempts,
                    vs.priority(),
                    j,
                    t);
            progress = true;
        }
        return progress;
    }

    private void issue(
            Incident inc,
            String action,
            String host,
            String target,
            String vm,
            List<String> vmList,
            List<String> disks,
            int attempt,
            Integer priority,
            Object work,
            long t) {
        String id = String.format("%s-%04d", inc.id, ++inc.commandSeq);
        CommandOut co =
                new CommandOut(
                        id, inc.id, action, host, target, vm, vmList, disks, attempt, priority, t);
        if (inc.state.equals("OPEN")) {
            setState(inc, "RECOVERING", t);
        }
        if (inc.firstCommandTs == null) {
            inc.firstCommandTs = t;
        }
        inc.lastCommandTs = t;
        out.command(co);
        Command c =
                new Command(
                        co,
                        work instanceof MapJob m ? m : null,
                        work instanceof VmJob j ? j : null);
        inflight.put(id, c);
        if (target != null) {
            perTarget.merge(target, 1, Integer::sum);
        }
        clusterInflight++;
        inc.inFlight++;
        long timeout = settings.commandTimeoutMs();
        if (hypervisor == Hypervisor.SIMULATED) {
            long latency = SimHypervisor.latency(action);
            boolean hit = sim.consume(co); // a matching fault is used up whatever the answer
            if (latency > timeout) {
                c.simStatus = "TIMED_OUT";
                c.simDetail = "no answer within commandTimeout";
                c.answerTs = t + timeout;
            } else {
                if (hit) {
                    c.simStatus = "FAILED";
                    c.simDetail = "sim-fault";
                }
                c.answerTs = t + latency;
            }
        } else {
            c.answerTs = t + timeout;
        }
        schedule(c.answerTs, Timer.ANSWER, id, 0);
    }

    /** A simulated answer, or (production) the engine's own command timeout. */
    private void answer(Command c, long t) {
        if (c == null) {
            return; // answered already
        }
        if (hypervisor == Hypervisor.EXTERNAL) {
            finish(c, "TIMED_OUT", "no result within commandTimeout", t, false);
            return;
        }
        String status = c.simStatus;
        String detail = c.simDetail;
        if (status == null) {
            long issued = c.out.ts();
            HostState th = c.target() == null ? null : hosts.get(c.target());
            HostState sh = hosts.get(c.host());
            if (th != null && (th.lastDeclaredTs >= issued || th.removedTs >= issued)) {
                status = "FAILED";
                detail = "target failed";
            } else if (c.action().equals("LIVE_MIGRATE_VM") && sh.lastDeclaredTs >= issued) {
                status = "FAILED";
                detail = "source failed";
            } else {
                status = "SUCCEEDED";
                detail = "ok";
            }
        }
        finish(c, status, detail, t, false);
    }

    /** A command's outcome; {@code echo} when it came in as a connector's result. */
    private void finish(Command c, String status, String detail, long t, boolean echo) {
        inflight.remove(c.id());
        if (c.target() != null) {
            perTarget.merge(c.target(), -1, Integer::sum);
        }
        clusterInflight--;
        Incident inc = incidents.get(c.out.incidentId());
        inc.inFlight--;
        out.result(new ResultOut(c.id(), status, detail, t, echo));
        dirty = true;
        boolean ok = status.equals("SUCCEEDED");
        int max = settings.maxAttempts();
        switch (c.action()) {
            case "FENCE_HOST":
                {
                    HostPart p = inc.parts.get(c.host());
                    p.fenceInFlight = false;
                    if (ok) {
                        p.fenceSucceeded = true;
                    } else if (!p.removed && p.fenceAttempts >= max) {
                        p.fenceExhausted = true;
                        List<VmJob> lost = new ArrayList<>();
                        for (VmJob j : inc.jobs.values()) {
                            // a host known down meanwhile (power off) needs no fence: its VMs go on
                            if (j.active()
                                    && j.phase != Phase.IN_FLIGHT
                                    && j.source.equals(c.host())
                                    && !knownDown(inc, c.host())) {
                                lost.add(j);
                            }
                        }
                        if (!lost.isEmpty()) {
                            giveUp(
                                    inc,
                                    lost,
                                    "RETRIES_EXHAUSTED",
                                    "fence of " + c.host() + " failed",
                                    t);
                        }
                    }
                    break;
                }
            case "MAP_DISKS":
                mapAnswered(inc, c.map, ok, t);
                break;
            default:
                moveAnswered(inc, c, ok, detail, t);
        }
        evaluate(inc, t);
    }

    private void mapAnswered(Incident inc, MapJob m, boolean ok, long t) {
        m.inFlight = false;
        List<VmJob> holding = new ArrayList<>();
        for (String v : m.vms) {
            VmJob j = inc.jobs.get(v);
            if (j != null && j.phase == Phase.MAPPING && m.target.equals(j.target)) {
                holding.add(j);
            }
            if (j != null && ok) {
                j.mappedOn.add(m.target);
            }
        }
        if (ok) {
            for (VmJob j : holding) {
                j.phase = Phase.READY;
            }
            return;
        }
        for (VmJob j : holding) {
            j.mapFailures++;
        }
        if (holding.isEmpty()) {
            return;
        }
        if (m.attempt < settings.maxAttempts() && usable(m.target)) {
            m.attempt++; // retried in place: same VMs and disks, attempt + 1
            inc.pendingMaps.add(m);
            return;
        }
        replan(inc, m);
    }

    private boolean usable(String target) {
        HostState th = hosts.get(target);
        return fleet.registeredHere(th) && th.status == Status.NORMAL && fleet.alive(th, now);
    }

    /**
     * The VMs of a map that will not be retried in place: given up after maxAttempts failed maps
     * holding their disks, else placed again elsewhere (never on that target again, so that no map
     * of the same VMs to it starts over at attempt 1).
     */
    private void replan(Incident inc, MapJob m) {
        List<VmJob> exhausted = new ArrayList<>();
        for (String v : m.vms) {
            VmJob j = inc.jobs.get(v);
            if (j == null || j.phase != Phase.MAPPING || !m.target.equals(j.target)) {
                continue;
            }
            if (j.mapFailures >= settings.maxAttempts()) {
                exhausted.add(j);
            } else {
                unreserve(j);
                j.failedTargets.add(m.target);
                j.phase = Phase.TO_PLACE;
            }
        }
        if (!exhausted.isEmpty()) {
            giveUp(inc, exhausted, "RETRIES_EXHAUSTED", "disk mapping failed", now);
        }
    }

    private void moveAnswered(Incident inc, Command c, boolean ok, String detail, long t) {
        VmJob j = c.job;
        HostState th = hosts.get(c.target());
        if (th != null) {
            th.incoming.remove(j.vm);
        }
        if (j.phase != Phase.IN_FLIGHT) {
            return; // not owed any more: the answer recovers nothing
        }
        if (ok) {
            VmState vs = vms.get(j.vm);
            if (vs == null || !vs.host.equals(c.host())) {
                j.phase = Phase.DROPPED;
                return;
            }
            HostState from = hosts.get(vs.host);
            if (from != null) {
                from.vms.remove(vs.id);
            }
            vs.host = c.target();
            vs.down = false;
            vs.ghost = false;
            th.vms.add(vs.id);
            j.phase = Phase.DONE;
            inc.recovered.add(j.vm);
            inc.lastRecoveryTs = t;
            return;
        }
        j.failedTargets.add(c.target());
        if (j.noRetry || "source failed".equals(detail)) {
            j.phase = Phase.DROPPED;
        } else if (j.attempts >= settings.maxAttempts()) {
            giveUp(
                    inc,
                    List.of(j),
                    "RETRIES_EXHAUSTED",
                    c.action() + " failed " + j.attempts + " times",
                    t);
        } else {
            j.phase = Phase.TO_PLACE; // retried on another target
        }
    }

    private void giveUp(Incident inc, List<VmJob> jobs, String kind, String detail, long t) {
        List<String> names = new ArrayList<>();
        for (VmJob j : jobs) {
            if (j.phase != Phase.IN_FLIGHT) {
                unreserve(j);
            }
            j.phase = Phase.GIVEN_UP;
            names.add(j.vm);
            givenUp.add(j.vm);
            (kind.equals("UNPLACED") ? inc.unplaced : inc.failed).add(j.vm);
        }
        names.sort(null);
        out.alert(new AlertOut(kind, inc.id, null, List.copyOf(names), detail, t));
        dirty = true;
    }

    // ------------------------------------------------------------------ incident states

    private void evaluateAll(long t) {
        for (Incident inc : new ArrayList<>(incidents.values())) {
            evaluate(inc, t);
        }
    }

    private void evaluate(Incident inc, long t) {
        if (inc.closed()) {
            return;
        }
        boolean pending = inc.anyActiveJob() || inc.inFlight > 0;
        switch (inc.kind) {
            case HF:
            case NC:
                {
                    boolean allBack = true;
                    boolean hostsOk = true;
                    for (HostPart p : inc.parts.values()) {
                        allBack &= p.removed || p.rejoined;
                        boolean done =
                                inc.kind.equals(HF)
                                        ? knownDown(inc, p.host) || p.fenceExhausted || p.rejoined
                                        : p.confirmed || p.rejoined;
                        hostsOk &= p.removed || done;
                    }
                    if (allBack && !pending) {
                        setState(inc, "CLOSED", t);
                    } else if (!inc.ended() && hostsOk && !pending) {
                        setState(inc, recoveredState(inc), t);
                    }
                    break;
                }
            case OUTAGE:
                {
                    boolean allBack = true;
                    for (HostPart p : inc.parts.values()) {
                        allBack &= p.left || p.removed || p.rejoined;
                    }
                    if (allBack) {
                        if (inc.id.equals(openOutage)) {
                            openOutage = null;
                        }
                        setState(inc, "CLOSED", t);
                    }
                    break;
                }
            case PREDICTED:
            case MAINTENANCE:
                if (!inc.ended() && !pending) {
                    setState(inc, recoveredState(inc), t);
                }
                break;
            default:
                break;
        }
    }

    private static String recoveredState(Incident inc) {
        return inc.unplaced.isEmpty() && inc.failed.isEmpty() ? "RECOVERED" : "PARTIAL";
    }

    private void setState(Incident inc, String state, long t) {
        if (inc.closed() || inc.state.equals(state)) {
            return;
        }
        inc.state = state;
        writeLine(inc, t);
    }

    private void writeLine(Incident inc, long t) {
        inc.lastLineTs = t;
        out.incident(
                new IncidentOut(
                        inc.id,
                        inc.kind,
                        List.copyOf(inc.hosts),
                        inc.state,
                        copy(inc.evidence),
                        t,
                        figuresOf(inc)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> copy(Map<String, Object> m) {
        Map<String, Object> c = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            c.put(e.getKey(), v instanceof Map<?, ?> inner ? copy((Map<String, Object>) inner) : v);
        }
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> evidenceMap(Incident inc, String key) {
        return (Map<String, Object>) inc.evidence.computeIfAbsent(key, k -> new LinkedHashMap<>());
    }

    // ------------------------------------------------------------------ placement rules

    private FailedDomains failedDomains() {
        TreeSet<String> racks = new TreeSet<>();
        TreeSet<String> pds = new TreeSet<>();
        for (Incident inc : incidents.values()) {
            if (!inc.failureKind() || inc.ended()) {
                continue;
            }
            TreeMap<String, Integer> r = new TreeMap<>();
            TreeMap<String, Integer> p = new TreeMap<>();
            for (HostPart part : inc.parts.values()) {
                if (part.rack != null) {
                    r.merge(part.rack, 1, Integer::sum);
                }
                if (part.powerDomain != null) {
                    p.merge(part.powerDomain, 1, Integer::sum);
                }
            }
            r.forEach(
                    (k, n) -> {
                        if (n >= 2) {
                            racks.add(k);
                        }
                    });
            p.forEach(
                    (k, n) -> {
                        if (n >= 2) {
                            pds.add(k);
                        }
                    });
        }
        return new FailedDomains(racks, pds);
    }

    /** The fleet as one planning round sees it. */
    private final class View implements PlacementView {
        private final Map<String, VmJob> jobs;
        private final FailedDomains domains;
        private final List<String> candidates = new ArrayList<>();

        View(Map<String, VmJob> jobs, FailedDomains domains) {
            this.jobs = jobs;
            this.domains = domains;
            for (HostState hs : hosts.values()) {
                if (fleet.registeredHere(hs) && fleet.alive(hs, now)) {
                    candidates.add(hs.id);
                }
            }
        }

        @Override
        public List<String> hosts() {
            return candidates;
        }

        @Override
        public boolean fits(PlacementRequest r, String target) {
            return fleet.fits(jobs.get(r.incidentId() + "|" + r.vm()), target, domains, now);
        }

        @Override
        public boolean spare(String target) {
            return hosts.get(target).record.spare();
        }

        @Override
        public double room(String target) {
            return fleet.room(target);
        }

        @Override
        public void reserve(PlacementRequest r, String target) {
            hosts.get(target).incoming.add(r.vm());
        }
    }
}
