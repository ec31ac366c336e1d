package io.vmres.deploy.bench;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.EngineDriver;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.ExecutionMode;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.Settings;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One recovery of the fleet's rack in one execution mode, and how the engine is driven to it. */
record RecoveryRun(
        ExecutionMode mode,
        double recoverySeconds,
        double detectionSeconds,
        int vmsRecovered,
        int vmsUnplaced,
        int vmsFailed,
        Map<String, Integer> commands,
        int maxVmsPerTarget,
        List<Double> recoveredAtSeconds,
        double wallSeconds,
        long eventsApplied) {

    /**
     * A serial recovery of the default fleet takes about nine hours: a run stops after two days.
     */
    private static final long GIVE_UP_AFTER_MS = 48L * 3600 * 1000;

    /**
     * Runs the fleet through one cluster engine: inventory, heartbeats every 5 s while there is
     * work (targets must stay alive for the whole recovery, serial hours included), the rack's
     * silence and its BMCs reading off; then the engine's own work to its end. With a {@code
     * recording}, the input goes to it as well.
     */
    static RecoveryRun simulate(
            RecoveryFleet fleet,
            Settings settings,
            ExecutionMode mode,
            PrintStream console,
            RecoveryRecording recording)
            throws IOException {
        long wall0 = System.nanoTime();
        ClusterEngine engine =
                new ClusterEngine(
                        RecoveryFleet.CLUSTER, settings, EngineOptions.simulated().withMode(mode));
        Capture out = new Capture(fleet.failedVms(), mode, console, wall0, fleet.crashAt());
        long events = drive(engine, fleet, out, recording);
        IncidentFigures rack = null;
        for (IncidentFigures f : engine.figures()) {
            if (f.kind().equals("HOST_FAILURE")) {
                rack = f;
            }
        }
        if (rack == null || rack.lastRecoveryTs() == null) {
            throw new IllegalStateException(mode + ": the rack's VMs were not recovered");
        }
        long start = rack.failureStartTs();
        List<Double> at = new ArrayList<>();
        for (long t : out.recoveredAt) {
            at.add((t - start) / 1000.0);
        }
        int maxPerTarget = 0;
        for (int n : out.perTarget.values()) {
            maxPerTarget = Math.max(maxPerTarget, n);
        }
        return new RecoveryRun(
                mode,
                (rack.lastRecoveryTs() - start) / 1000.0,
                (rack.openedTs() - start) / 1000.0,
                rack.vmsRecovered(),
                rack.vmsUnplaced(),
                rack.vmsFailed(),
                out.commands,
                maxPerTarget,
                at,
                (System.nanoTime() - wall0) / 1e9,
                events);
    }

    /**
     * The driving loop: the fleet's telemetry tick by tick into the engine, instant by instant,
     * until every incident is over (or two days of event time passed), then the engine's own timers
     * to their end. Returns the number of events applied.
     */
    private static long drive(
            ClusterEngine engine, RecoveryFleet fleet, Output out, RecoveryRecording recording)
            throws IOException {
        RecoveryFleet.Telemetry telemetry = new RecoveryFleet.Telemetry(fleet);
        EngineDriver driver = new EngineDriver(RecoveryFleet.CLUSTER, engine, out);
        long t0 = RecoveryFleet.T0;
        long events = 0;
        long last = t0;
        for (long tick = t0;
                tick < t0 + GIVE_UP_AFTER_MS;
                tick += RecoveryFleet.HEARTBEAT_EVERY_MS) {
            TreeMap<Long, List<Event>> batch = new TreeMap<>(telemetry.tick(tick));
            for (Map.Entry<Long, List<Event>> e : batch.entrySet()) {
                List<Event> at = e.getValue();
                at.sort((a, b) -> Long.compare(a.seq(), b.seq()));
                if (recording != null) {
                    recording.write(at);
                }
                events += at.size();
                last = e.getKey();
            }
            if (!batch.isEmpty()) {
                driver.runUntil(batch, batch.lastKey());
            }
            if (tick > fleet.crashAt() + 60_000 && done(engine)) {
                break;
            }
        }
        driver.endOfInput(last);
        driver.runUntil(null, Long.MAX_VALUE);
        return events;
    }

    /** Every incident of the engine reached RECOVERED, PARTIAL or CLOSED. */
    private static boolean done(ClusterEngine engine) {
        List<IncidentFigures> all = engine.figures();
        if (all.isEmpty()) {
            return false;
        }
        for (IncidentFigures f : all) {
            if (f.state().equals("OPEN") || f.state().equals("RECOVERING")) {
                return false;
            }
        }
        return true;
    }

    /** What a run's engine decided: command counts and the instants VMs were recovered. */
    private static final class Capture implements Output {
        private final int owed;
        private final ExecutionMode mode;
        private final PrintStream console;
        private final long wall0;
        private final long crashAt;
        final Map<String, Integer> commands = new LinkedHashMap<>();
        final Map<String, String> restartTarget = new HashMap<>();
        final TreeMap<String, Integer> perTarget = new TreeMap<>();
        final List<Long> recoveredAt = new ArrayList<>();
        private long firstRecovery = -1;
        private int nextReport = 1;

        Capture(int owed, ExecutionMode mode, PrintStream console, long wall0, long crashAt) {
            this.owed = owed;
            this.crashAt = crashAt;
            this.mode = mode;
            this.console = console;
            this.wall0 = wall0;
            for (String a : List.of("FENCE_HOST", "MAP_DISKS", "RESTART_VM", "LIVE_MIGRATE_VM")) {
                commands.put(a, 0);
            }
        }

        @Override
        public void command(CommandOut c) {
            commands.merge(c.action(), 1, Integer::sum);
            if (c.action().equals("RESTART_VM")) {
                restartTarget.put(c.commandId(), c.target());
            }
        }

        @Override
        public void result(ResultOut r) {
            String target = restartTarget.remove(r.commandId());
            if (target == null || !r.status().equals("SUCCEEDED")) {
                return;
            }
            perTarget.merge(target, 1, Integer::sum);
            recoveredAt.add(r.ts());
            if (firstRecovery < 0) {
                firstRecovery = r.ts();
            }
            // a long (serial) run tells how far it is, every tenth of the VMs
            if (recoveredAt.size() * 10 >= nextReport * owed && nextReport < 10) {
                console.printf(
                        Locale.ROOT,
                        "  %s: %,d of %,d VMs recovered, %s of event time (%.1f s)%n",
                        mode.name().toLowerCase(Locale.ROOT),
                        recoveredAt.size(),
                        owed,
                        RecoveryReport.hours((r.ts() - crashAt) / 1000.0),
                        (System.nanoTime() - wall0) / 1e9);
                while (recoveredAt.size() * 10 >= nextReport * owed) {
                    nextReport++;
                }
            }
        }

        @Override
        public void incident(IncidentOut incident) {}

        @Override
        public void alert(AlertOut alert) {}
    }
}
