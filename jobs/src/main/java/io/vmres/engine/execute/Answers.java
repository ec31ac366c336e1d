package io.vmres.engine.execute;

import io.vmres.engine.ClusterEngine.Hypervisor;
import io.vmres.engine.Settings;
import io.vmres.engine.execute.VmJob.Phase;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.VmState;
import io.vmres.engine.incident.HostPart;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.IncidentRules;
import io.vmres.engine.incident.Incidents;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import java.util.ArrayList;
import java.util.List;

/**
 * The answers to commands (spec: Command results, Retries): a connector's result, the simulated
 * hypervisor's answer or the engine's own timeout; what a success moves, what a failure retries or
 * gives up.
 */
public final class Answers {
    /**
     * How a connector (or the job's own timeout) says that a restart or migration may have run
     * after all: the VM may be running on the target, and must not be started anywhere else.
     */
    public static final String IN_DOUBT = "in doubt: ";

    private final Settings settings;
    private final Hypervisor hypervisor;
    private final Fleet fleet;
    private final Incidents incidents;
    private final IncidentRules rules;
    private final InFlight inFlight;
    private final Executor executor;

    public Answers(
            Settings settings,
            Hypervisor hypervisor,
            Fleet fleet,
            Incidents incidents,
            IncidentRules rules,
            InFlight inFlight,
            Executor executor) {
        this.settings = settings;
        this.hypervisor = hypervisor;
        this.fleet = fleet;
        this.incidents = incidents;
        this.rules = rules;
        this.inFlight = inFlight;
        this.executor = executor;
    }

    /** A connector's result; duplicate or unknown command ids are ignored. */
    public void result(String commandId, String status, String detail, long t, Output out) {
        result(commandId, status, detail, t, t, out);
    }

    /**
     * A connector's result applied at instant {@code t}, its work done at {@code doneTs} (never
     * before {@code t}): the live job applies a result as it arrives, at the instant its engine is
     * at, while the incident's figures keep when the VM was really recovered.
     */
    public void result(
            String commandId, String status, String detail, long t, long doneTs, Output out) {
        Command c = inFlight.get(commandId);
        if (c == null) {
            return;
        }
        CommandStatus s = CommandStatus.ofResult(status);
        if (s == CommandStatus.REJECTED) {
            // The connector ran nothing: a failure like any other (retried, or given up), never a
            // success; and someone must look at the keys, the clocks or who writes the topic.
            out.alert(
                    new AlertOut(
                            "COMMAND_REJECTED",
                            c.incidentId(),
                            c.host(),
                            c.job() != null
                                    ? List.of(c.job().vm)
                                    : c.vms() == null ? List.of() : c.vms(),
                            c.action()
                                    + " "
                                    + c.id()
                                    + " rejected by its connector ("
                                    + status
                                    + "): "
                                    + detail,
                            t));
        }
        finish(c, s, detail, t, Math.max(t, doneTs), true, out);
    }

    /** The answer timer of a command: a simulated answer, or (production) its timeout. */
    public void answer(String commandId, long t, Output out) {
        Command c = inFlight.get(commandId);
        if (c == null) {
            return; // answered already
        }
        if (hypervisor == Hypervisor.EXTERNAL) {
            // no connector answered: a restart or migration may still have run somewhere
            String detail =
                    c.action() == Action.RESTART_VM || c.action() == Action.LIVE_MIGRATE_VM
                            ? IN_DOUBT + "no result within commandTimeout"
                            : "no result within commandTimeout";
            finish(c, CommandStatus.TIMED_OUT, detail, t, t, false, out);
            return;
        }
        CommandStatus status = c.simStatus();
        String detail = c.simDetail();
        if (status == null) {
            long issued = c.issuedTs();
            HostState th = c.target() == null ? null : fleet.hosts().get(c.target());
            HostState sh = fleet.hosts().get(c.host());
            if (th != null && (th.lastDeclaredTs() >= issued || th.removedTs() >= issued)) {
                status = CommandStatus.FAILED;
                detail = "target failed";
            } else if (c.action() == Action.LIVE_MIGRATE_VM && sh.lastDeclaredTs() >= issued) {
                status = CommandStatus.FAILED;
                detail = "source failed";
            } else {
                status = CommandStatus.SUCCEEDED;
                detail = "ok";
            }
        }
        finish(c, status, detail, t, t, false, out);
    }

    /** A command's outcome; {@code echo} when it came in as a connector's result. */
    private void finish(
            Command c,
            CommandStatus status,
            String detail,
            long t,
            long doneTs,
            boolean echo,
            Output out) {
        inFlight.remove(c);
        Incident inc = incidents.get(c.incidentId());
        inc.commandAnswered();
        out.result(new ResultOut(c.id(), status.name(), detail, t, echo));
        incidents.changed();
        boolean ok = status == CommandStatus.SUCCEEDED;
        switch (c.action()) {
            case FENCE_HOST:
                fenceAnswered(inc, c, ok, t, out);
                break;
            case MAP_DISKS:
                mapAnswered(inc, c.map(), ok, t, out);
                break;
            default:
                moveAnswered(inc, c, ok, detail, t, doneTs, out);
        }
        rules.evaluate(inc, t, out);
    }

    private void fenceAnswered(Incident inc, Command c, boolean ok, long t, Output out) {
        HostPart p = inc.part(c.host());
        if (!p.fenceAnswered(ok, settings.maxAttempts())) {
            return;
        }
        List<VmJob> lost = new ArrayList<>();
        for (VmJob j : inc.jobs().values()) {
            // a host known down meanwhile (power off) needs no fence: its VMs go on
            if (j.active()
                    && j.phase() != Phase.IN_FLIGHT
                    && j.source.equals(c.host())
                    && !rules.knownDown(inc, c.host())) {
                lost.add(j);
            }
        }
        if (!lost.isEmpty()) {
            executor.giveUp(
                    inc,
                    lost,
                    GiveUp.RETRIES_EXHAUSTED,
                    "fence of " + c.host() + " failed",
                    t,
                    out);
        }
    }

    private void mapAnswered(Incident inc, MapJob m, boolean ok, long t, Output out) {
        m.answered();
        List<VmJob> holding = new ArrayList<>();
        for (String v : m.vms) {
            VmJob j = inc.jobs().get(v);
            if (j != null && j.phase() == Phase.MAPPING && m.target.equals(j.target())) {
                holding.add(j);
            }
            if (j != null && ok) {
                j.mapped(m.target);
            }
        }
        if (ok) {
            for (VmJob j : holding) {
                j.moveTo(Phase.READY);
            }
            return;
        }
        for (VmJob j : holding) {
            j.mapFailed();
        }
        if (holding.isEmpty()) {
            return;
        }
        if (m.attempt() < settings.maxAttempts() && executor.usable(m.target, t)) {
            m.retryInPlace();
            inc.pendingMaps().add(m);
            return;
        }
        executor.replan(inc, m, t, out);
    }

    private void moveAnswered(
            Incident inc, Command c, boolean ok, String detail, long t, long doneTs, Output out) {
        VmJob j = c.job();
        HostState th = fleet.hosts().get(c.target());
        if (th != null) {
            th.removeIncoming(j.vm);
        }
        if (j.phase() != Phase.IN_FLIGHT) {
            return; // not owed any more: the answer recovers nothing
        }
        VmState vs = fleet.vms().get(j.vm);
        // live only: the inventory told of the move before its answer (FleetRules.vmEvent)
        boolean toldOnTarget = vs != null && vs.host().equals(c.target());
        if (ok) {
            if (vs == null || !(vs.host().equals(c.host()) || toldOnTarget)) {
                j.moveTo(Phase.DROPPED);
                return;
            }
            if (!toldOnTarget) {
                HostState from = fleet.hosts().get(vs.host());
                if (from != null) {
                    from.removeVm(vs.id);
                }
                vs.host(c.target());
                th.addVm(vs.id);
            }
            vs.down(false);
            vs.ghost(false);
            j.moveTo(Phase.DONE);
            inc.recovered(j.vm, doneTs);
            return;
        }
        if (toldOnTarget) {
            // the inventory has it running there: nothing to retry, nothing recovered
            j.moveTo(Phase.DROPPED);
            return;
        }
        if (detail != null && detail.startsWith(IN_DOUBT)) {
            // never a second copy: its slot on the target stays held, no retry elsewhere
            if (th != null) {
                th.addIncoming(j.vm);
            }
            j.moveTo(Phase.IN_DOUBT);
            out.alert(
                    new AlertOut(
                            "IN_DOUBT",
                            inc.id(),
                            null,
                            List.of(j.vm),
                            c.action()
                                    + " of "
                                    + j.vm
                                    + " on "
                                    + c.target()
                                    + " may have run: "
                                    + detail.substring(IN_DOUBT.length())
                                    + "; not started elsewhere until the inventory places it",
                            t));
            return;
        }
        j.failedOn(c.target());
        if (j.noRetry() || "source failed".equals(detail)) {
            j.moveTo(Phase.DROPPED);
        } else if (j.attempts() >= settings.maxAttempts()) {
            executor.giveUp(
                    inc,
                    List.of(j),
                    GiveUp.RETRIES_EXHAUSTED,
                    c.action() + " failed " + j.attempts() + " times",
                    t,
                    out);
        } else {
            j.moveTo(Phase.TO_PLACE); // retried on another target
        }
    }
}
