package io.vmres.deploy.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.deploy.dashboard.Dashboard;
import io.vmres.deploy.dashboard.RecoveryTime;
import io.vmres.deploy.runtime.DecisionLog;
import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.schema.Action;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Incident;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;

/**
 * {@code vmres demo}: the job on the embedded runtime against a simulated fleet in which a host
 * crashes now and then; a line per incident as it is declared and as it recovers, and a summary at
 * the end.
 */
public final class Demo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;

    /** Set once the summary is due: decisions read after it are not printed below it. */
    private volatile boolean summarized;

    private final long startNanos = System.nanoTime();
    private final Map<String, String> incidentOfCommand = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> restarted = new ConcurrentHashMap<>();
    private final Map<String, Long> opened = new ConcurrentHashMap<>();
    private final List<Double> detections = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> recoveries = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> crashed = Collections.synchronizedSet(new HashSet<>());

    Demo(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs until {@code duration} is over (or Ctrl-C closes the lifecycle, when empty).
     *
     * @return the process exit code
     */
    public static int run(
            Optional<Duration> duration,
            int hosts,
            int vmsPerHost,
            Duration crashEvery,
            long seed,
            Optional<Integer> dashboardPort,
            Lifecycle lifecycle,
            PrintStream out)
            throws Exception {
        return new Demo(out)
                .go(duration, hosts, vmsPerHost, crashEvery, seed, dashboardPort, lifecycle);
    }

    private int go(
            Optional<Duration> duration,
            int hosts,
            int vmsPerHost,
            Duration crashEvery,
            long seed,
            Optional<Integer> dashboardPort,
            Lifecycle lifecycle)
            throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder().hosts(hosts).vmsPerHost(vmsPerHost).seed(seed).build();
        out.printf(
                Locale.ROOT,
                "vmres demo: %s and %s in %s; a host crashes every %s%n",
                Words.count(fleet.hosts().size(), "host"),
                Words.count(fleet.vms().size(), "VM"),
                Words.count(
                        fleet.hosts().stream().map(FleetHost::cluster).distinct().count(),
                        "cluster"),
                human(crashEvery));
        out.println(
                "starting Kafka, the job on a Flink MiniCluster, the simulated fleet and its connector...");
        LiveRuntime runtime = lifecycle.start(() -> LiveRuntime.builder(fleet).seed(seed).start());
        out.printf(
                Locale.ROOT,
                "[%s] running: Kafka at %s (ready in %.1f s), job %s%n",
                clock(),
                runtime.kafka().bootstrapServers(),
                runtime.kafka().startupTime().toMillis() / 1000.0,
                runtime.job().getJobID());
        lifecycle.register(new DecisionLog(runtime.kafka().endpoint(), this::onDecision));
        if (dashboardPort.isPresent()) {
            Dashboard dashboard =
                    lifecycle.start(
                            () -> {
                                try {
                                    return Dashboard.start(
                                            runtime.kafka().endpoint(),
                                            "127.0.0.1",
                                            dashboardPort.get(),
                                            null,
                                            Settings.DEFAULTS);
                                } catch (java.net.BindException e) {
                                    throw new IllegalStateException(
                                            "port "
                                                    + dashboardPort.get()
                                                    + " is in use; --dashboard-port 0 picks a free"
                                                    + " one",
                                            e);
                                }
                            });
            out.printf(Locale.ROOT, "[%s] dashboard: %s%n", clock(), dashboard.url());
        }

        ScheduledExecutorService crasher =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "vmres-demo-crasher");
                            t.setDaemon(true);
                            return t;
                        });
        lifecycle.register(crasher::shutdownNow);
        Random random = new Random(seed);
        crasher.scheduleAtFixedRate(
                () -> crashOne(fleet, random),
                crashEvery.toMillis(),
                crashEvery.toMillis(),
                TimeUnit.MILLISECONDS);

        if (duration.isPresent()) {
            lifecycle.awaitShutdown(duration.get());
        } else {
            lifecycle.awaitShutdown();
        }
        summarized = true;
        summary();
        return 0;
    }

    private void crashOne(SimulatedFleet fleet, Random random) {
        List<FleetHost> candidates = new ArrayList<>();
        for (FleetHost h : fleet.hosts()) {
            if (!h.spare()
                    && h.bmc()
                    && !crashed.contains(h.host())
                    && !fleet.vmsOn(h.host()).isEmpty()) {
                candidates.add(h);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        FleetHost victim = candidates.get(random.nextInt(candidates.size()));
        int vms = fleet.vmsOn(victim.host()).size();
        crashed.add(victim.host());
        fleet.crash(victim.host());
        out.printf(
                Locale.ROOT,
                "[%s] crash    %s (cluster %s, rack %s): %s on it; its heartbeats stop, its BMC reads off%n",
                clock(),
                victim.host(),
                victim.cluster(),
                victim.rack(),
                Words.count(vms, "VM"));
    }

    /** One record of the job's output topics, as the decision log reads it. */
    void onDecision(SpecificRecord record) {
        if (summarized) {
            return;
        }
        if (record instanceof Command c) {
            incidentOfCommand.put(
                    c.getCommandId(), c.getIncidentId() + "|" + c.getAction() + "|" + c.getVm());
        } else if (record instanceof CommandResult r && r.getStatus() == CommandStatus.SUCCEEDED) {
            String what = incidentOfCommand.get(r.getCommandId());
            if (what != null) {
                String[] p = what.split("\\|");
                if (p[1].equals(Action.RESTART_VM.name())
                        || p[1].equals(Action.LIVE_MIGRATE_VM.name())) {
                    restarted.computeIfAbsent(p[0], k -> ConcurrentHashMap.newKeySet()).add(p[2]);
                }
            }
        } else if (record instanceof Incident i) {
            onIncident(i);
        }
    }

    private void onIncident(Incident i) {
        String id = i.getIncidentId();
        String hosts = String.join(",", i.getHosts());
        long ts = i.getTs().toEpochMilli();
        switch (i.getState()) {
            case OPEN -> {
                opened.put(id, ts);
                Long beat = lastHeartbeat(i);
                String detection = "";
                if (beat != null) {
                    double s = (ts - beat) / 1000.0;
                    detections.add(s);
                    detection =
                            String.format(
                                    Locale.ROOT, ", declared %.1f s after its last heartbeat", s);
                }
                out.printf(
                        Locale.ROOT,
                        "[%s] incident %s %s %s%s%n",
                        clock(),
                        id,
                        i.getKind(),
                        hosts,
                        detection);
            }
            case RECOVERED, PARTIAL -> {
                int vms = restarted.getOrDefault(id, Set.of()).size();
                // the job's own recoveryS, as summary.json and the dashboard have it: to the last
                // VM recovered, not to the line (a PARTIAL line comes when the last VM is given up)
                Double s = RecoveryTime.seconds(i);
                String rto = "";
                if (s != null) {
                    recoveries.add(s);
                    rto = String.format(Locale.ROOT, ", recovery time %.1f s from the failure", s);
                }
                out.printf(
                        Locale.ROOT,
                        "[%s] %-9s %s %s: %s restarted%s%n",
                        clock(),
                        i.getState(),
                        id,
                        hosts,
                        Words.count(vms, "VM"),
                        rto);
            }
            default -> {}
        }
    }

    private static Long lastHeartbeat(Incident i) {
        if (i.getEvidenceJson() == null) {
            return null;
        }
        try {
            JsonNode beats = JSON.readTree(i.getEvidenceJson()).path("lastHeartbeat");
            Long earliest = null;
            for (JsonNode v : beats) {
                long t = Times.parse(v.asText());
                earliest = earliest == null ? t : Math.min(earliest, t);
            }
            return earliest;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private void summary() {
        int vms = restarted.values().stream().mapToInt(Set::size).sum();
        out.printf(
                Locale.ROOT,
                "summary: %s crashed, %s declared, %d recovered, %s restarted%n",
                Words.count(crashed.size(), "host"),
                Words.count(opened.size(), "incident"),
                recoveries.size(),
                Words.count(vms, "VM"));
        if (!detections.isEmpty()) {
            out.printf(Locale.ROOT, "  detection: %s%n", stats(detections));
        }
        if (!recoveries.isEmpty()) {
            out.printf(Locale.ROOT, "  recovery:  %s%n", stats(recoveries));
        }
    }

    private static String stats(List<Double> values) {
        List<Double> v;
        synchronized (values) {
            v = new ArrayList<>(values);
        }
        Collections.sort(v);
        double sum = 0;
        for (double d : v) {
            sum += d;
        }
        return String.format(
                Locale.ROOT,
                "mean %.1f s, min %.1f s, max %.1f s over %d",
                sum / v.size(),
                v.get(0),
                v.get(v.size() - 1),
                v.size());
    }

    private String clock() {
        long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
        return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    private static String human(Duration d) {
        return d.toSeconds() % 60 == 0 && d.toSeconds() >= 60
                ? d.toMinutes() + " min"
                : d.toSeconds() + " s";
    }
}
