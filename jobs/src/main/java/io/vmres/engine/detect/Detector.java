package io.vmres.engine.detect;

import io.vmres.engine.Settings;
import io.vmres.engine.Timers;
import io.vmres.engine.Times;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.TelemetryStall;
import io.vmres.engine.fleet.Channel;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.FleetRules;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.fleet.HostState.Status;
import io.vmres.engine.incident.Declaration;
import io.vmres.engine.incident.Incident;
import io.vmres.engine.incident.IncidentRules;
import io.vmres.engine.incident.Incidents;
import io.vmres.engine.out.Output;
import java.util.List;
import java.util.TreeMap;

/**
 * The detection stage (spec: Heartbeats, Predicted failure): a channel is lost when no beat has ts
 * in (last, last + heartbeatTimeout]; a host silent on every channel it used is classified at its
 * loss + outOfOrderness, a host that lost only mgmt is judged for isolation then; health samples go
 * through the host's {@link HealthRules}. Beats also end an isolation and make a declared host
 * rejoin. A host whose telemetry stalled (live only) loses no channel until it resumes, and counts
 * its silence from the resume.
 */
public final class Detector {
    private final Settings settings;
    private final Fleet fleet;
    private final TreeMap<String, HealthRules> health;
    private final Timers timers;
    private final Incidents incidents;
    private final IncidentRules rules;
    private final FleetRules fleetRules;

    /**
     * @param health the health rules of each host (state of the engine, updated here)
     */
    public Detector(
            Settings settings,
            Fleet fleet,
            TreeMap<String, HealthRules> health,
            Timers timers,
            Incidents incidents,
            IncidentRules rules,
            FleetRules fleetRules) {
        this.settings = settings;
        this.fleet = fleet;
        this.health = health;
        this.timers = timers;
        this.incidents = incidents;
        this.rules = rules;
        this.fleetRules = fleetRules;
    }

    public void heartbeat(Heartbeat hb, Output out) {
        HostState hs = fleet.host(hb.host());
        Channel c = Channel.of(hb.channel());
        hs.beat(c, hb.ts());
        if (hs.arm(c)) {
            timers.channelLoss(Times.plus(hs.lastBeat(c), settings.heartbeatTimeoutMs()), hs.id, c);
        }
        if (hs.status() == Status.ISOLATED && c == Channel.MGMT) {
            incidents.changed();
            Incident inc = incidents.get(hs.incidentId());
            hs.backToNormal();
            rules.close(inc, hb.ts(), out);
        } else if (hs.status() == Status.FAILED || hs.status() == Status.OUTAGE) {
            hs.beatSince(c);
            if (hs.beatOnEveryChannelSince()) {
                fleetRules.rejoin(hs, hb.ts(), out);
            }
        }
    }

    /**
     * The live job's note that the host's telemetry stalled or resumed. A stalled host loses no
     * channel and is not classified; at its resume every channel it used counts its silence afresh,
     * as at a new start. A host declared failed or in an outage is not concerned: it is judged
     * already, and rejoins by its heartbeats.
     */
    public void telemetryStall(TelemetryStall s) {
        HostState hs = fleet.hosts().get(s.host());
        if (hs == null
                || !hs.usedAny()
                || hs.status() == Status.FAILED
                || hs.status() == Status.OUTAGE) {
            return;
        }
        if (!s.resumed()) {
            hs.stall();
            return;
        }
        if (!hs.stalled()) {
            return;
        }
        hs.resume(s.ts());
        for (Channel c : Channel.values()) {
            if (hs.used(c) && hs.arm(c)) {
                timers.channelLoss(
                        Times.plus(hs.silentSince(c), settings.heartbeatTimeoutMs()), hs.id, c);
            }
        }
    }

    /** The loss timer of a channel fired at {@code t}; {@code inputEnd} is the input's last ts. */
    public void channelTimer(String host, Channel c, long t, long inputEnd) {
        HostState hs = fleet.hosts().get(host);
        long timeout = settings.heartbeatTimeoutMs();
        hs.disarm(c);
        if (hs.stalled()) {
            return; // its heartbeats cannot be read: no loss; its resume arms the timer again
        }
        if (Times.plus(hs.silentSince(c), timeout) > t) {
            hs.arm(c);
            timers.channelLoss(Times.plus(hs.silentSince(c), timeout), hs.id, c);
            return;
        }
        if (t > inputEnd) {
            return; // the silence after the recording is its end, never a loss
        }
        hs.lose(c, t);
        long ooo = settings.outOfOrdernessMs();
        if (hs.silent()) {
            timers.classify(Times.plus(t, ooo), hs.id, hs.lossTime());
        } else if (c == Channel.MGMT && hs.used(Channel.STORAGE)) {
            timers.isolation(Times.plus(t, ooo), hs.id, t);
        }
    }

    /** Judges a health sample; a rule that fires asks for a declaration in step 2. */
    public void healthSample(Health h, List<Declaration> declarations) {
        HealthRules rules = health.computeIfAbsent(h.host(), k -> new HealthRules());
        if ("cpu_temp_c".equals(h.sensor())) {
            long end = rules.temperature(h.ts(), h.value(), settings);
            if (end != Long.MIN_VALUE) {
                timers.temperatureWindow(end, h.host());
            }
            return;
        }
        String rule = rules.sample(h, settings);
        if (rule != null) {
            declarations.add(Declaration.predicted(h.host(), rule, h.sensor(), h.value()));
        }
    }

    /**
     * A CPU temperature window of the host ended at {@code t}: the predicted failure it completes,
     * or null (none after the end of input).
     */
    public Declaration temperatureWindow(String host, long t, long inputEnd) {
        if (health.get(host).windowEnd(t, settings) && t <= inputEnd) {
            return Declaration.predicted(host, "cpu_temp", "cpu_temp_c", 0);
        }
        return null;
    }
}
