package io.vmres.deploy.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.Settings;
import io.vmres.schema.Admission;
import io.vmres.schema.AdmissionRisk;
import io.vmres.schema.Alert;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.HostState;
import io.vmres.schema.Incident;
import io.vmres.schema.PowerDomain;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the dashboard shows, kept from the records of the fleet-state, incidents, commands,
 * command-results and alerts topics and the power-domain readings, with the state of its source
 * ({@link FeedStatus}). Every change stamps what it touched with a new version, so that a page is
 * sent only what changed since the version it has ({@link #since}): a burst of changes to one host
 * between two sends is one update. Thread-safe.
 */
public final class DashboardModel {
    /** Alerts kept for the page: the latest ones. */
    static final int ALERTS_KEPT = 200;

    /** Recovery times kept for the distribution: the latest ones. */
    static final int RECOVERIES_KEPT = 1000;

    /** Incidents kept: all open ones, and the latest ended ones up to this many in all. */
    static final int INCIDENTS_KEPT = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DOWN = Set.of("failed", "fenced");
    private static final String DOMAIN_REASON = "power-domain ";

    private final Settings limits;

    /** The engines its what-if questions are asked of; fed apart from the model's own lock. */
    private final WhatIfEngines whatIf = new WhatIfEngines();

    private long version;
    private long latestTs;
    private Stamped<FeedStatus> status =
            new Stamped<>(FeedStatus.connecting("the data", System.currentTimeMillis()), 0);

    /**
     * Hosts that left a telemetry outage, with the outage: a domain's reading may have ended it.
     */
    private final Map<String, String> leftOutage = new HashMap<>();

    /** Power domains by name: their latest reading and what it proved. */
    private final TreeMap<String, DomainRow> domains = new TreeMap<>();

    private final TreeMap<String, HostRow> hosts = new TreeMap<>();

    /** Hosts that left, with the version they left at. */
    private final Map<String, Long> removed = new HashMap<>();

    private final LinkedHashMap<String, IncidentRow> incidents = new LinkedHashMap<>();

    /** Commands without a result yet. */
    private final Map<String, Command> inFlight = new HashMap<>();

    /**
     * Results read before their command: the two topics are read side by side, and a result can be
     * fetched first. Bounded: a result whose command never comes is forgotten in time.
     */
    private final Map<String, CommandResult> early =
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CommandResult> e) {
                    return size() > 10_000;
                }
            };

    private final ArrayDeque<Map<String, Object>> alerts = new ArrayDeque<>();
    private final TreeMap<String, Stamped<Map<String, Object>>> admissions = new TreeMap<>();

    /** Recovery times of RECOVERED and PARTIAL incidents by incident, the latest ones. */
    private final Map<String, Double> recoveries =
            new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Double> e) {
                    return size() > RECOVERIES_KEPT;
                }
            };

    /**
     * @param limits the in-flight limits the page shows commands against
     */
    public DashboardModel(Settings limits) {
        this.limits = limits;
    }

    /** The cluster engines the page's what-if questions are asked of. */
    public WhatIfEngines whatIf() {
        return whatIf;
    }

    private record Stamped<T>(T value, long v) {}

    /** One host's latest fleet view, and its VM count before it last went down. */
    private static final class HostRow {
        HostState state;
        int upVms;
        long v;
    }

    /**
     * One power domain: its latest reading (null state before one is read), and the hosts its
     * reading {@code off} proved off in incidents, by the incidents' evidence (host -> incident):
     * declared failed and known down without a fence ({@code powerDomainOff}), or confirmed while
     * awaiting confirmation ({@code confirmed}, reason {@code power-domain NAME off}).
     */
    private static final class DomainRow {
        String state;
        long ts;
        String source;
        final TreeMap<String, String> provedOff = new TreeMap<>();
        final TreeMap<String, String> confirmed = new TreeMap<>();
    }

    /** One incident as the page shows it: its states, the steps of its recovery, its progress. */
    private static final class IncidentRow {
        final String id;
        String cluster;
        String kind;
        String state;
        List<String> hosts = List.of();
        long detectedTs;
        Long failureStartTs;
        Long fenceTs;
        Long fencedTs;
        Long mapTs;
        Long mappedTs;
        Long restartTs;
        Long restartedTs;
        Long endTs;

        /** The job's own figures on its lines: its recoveryS, and whether it wrote any. */
        boolean hasFigures;

        Double figuresRecoveryS;

        final List<Map<String, Object>> states = new ArrayList<>();
        final Set<String> recovered = new HashSet<>();
        final Set<String> givenUp = new HashSet<>();
        long v;

        IncidentRow(String id) {
            this.id = id;
        }

        /**
         * The summary's {@code recoveryS} once the incident has ended, as {@link RecoveryTime}
         * tells it: the job's own figure from its latest line. Lines of a job that wrote no figures
         * come close from the records: the last successful restart or migration minus the failure
         * start (the opening without one). Null while it is open, or when it recovered no VM
         * (nothing to measure). A PARTIAL incident's end comes after its last recovery, often much
         * later: not its recovery time.
         */
        Double recoverySeconds() {
            if (endTs == null) {
                return null;
            }
            if (hasFigures) {
                return figuresRecoveryS;
            }
            if (restartedTs == null) {
                return null;
            }
            long from = failureStartTs != null ? failureStartTs : detectedTs;
            return (restartedTs - from) / 1000.0;
        }

        boolean recoveredOrPartial() {
            return "RECOVERED".equals(state) || "PARTIAL".equals(state);
        }
    }

    /** Applies one record of the topics the dashboard reads; others are ignored. */
    public synchronized void apply(SpecificRecord record) {
        if (record instanceof HostState h) {
            host(h);
        } else if (record instanceof Incident i) {
            incident(i);
        } else if (record instanceof Command c) {
            command(c);
        } else if (record instanceof CommandResult r) {
            result(r);
        } else if (record instanceof Alert a) {
            alert(a);
        } else if (record instanceof Admission a) {
            admission(a);
        } else if (record instanceof PowerDomain p) {
            powerDomain(p);
        }
    }

    /** The state of the dashboard's source, sent to pages with everything else. */
    public synchronized void status(FeedStatus s) {
        status = new Stamped<>(s, ++version);
    }

    /** The latest state of the source. */
    public synchronized FeedStatus status() {
        return status.value();
    }

    private void powerDomain(PowerDomain p) {
        long ts = p.getTs().toEpochMilli();
        next(ts);
        DomainRow row = domains.computeIfAbsent(p.getPowerDomain(), k -> new DomainRow());
        // the topic is keyed by domain, so readings come in order; a replay tells each cluster
        if (row.state == null || ts >= row.ts) {
            row.state = p.getState().name().toLowerCase(java.util.Locale.ROOT);
            row.ts = ts;
            row.source = p.getSource();
        }
    }

    /** What the incident's evidence says a power domain's reading proved. */
    private void proofs(String incidentId, String evidenceJson) {
        if (evidenceJson == null) {
            return;
        }
        JsonNode evidence;
        try {
            evidence = JSON.readTree(evidenceJson);
        } catch (Exception e) {
            return; // evidence that does not parse only loses what it proved
        }
        for (var it = evidence.path("powerDomainOff").fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().isTextual()) {
                domains.computeIfAbsent(e.getValue().asText(), k -> new DomainRow())
                        .provedOff
                        .put(e.getKey(), incidentId);
            }
        }
        for (var it = evidence.path("confirmed").fields(); it.hasNext(); ) {
            var e = it.next();
            String reason = e.getValue().path("reason").asText("");
            // the spec's words for a confirmation by a domain's reading
            if (e.getValue().path("requestedBy").isMissingNode()
                    || e.getValue().path("requestedBy").isNull()) {
                if (reason.startsWith(DOMAIN_REASON) && reason.endsWith(" off")) {
                    String domain = reason.substring(DOMAIN_REASON.length(), reason.length() - 4);
                    domains.computeIfAbsent(domain, k -> new DomainRow())
                            .confirmed
                            .put(e.getKey(), incidentId);
                }
            }
        }
    }

    private long next(long ts) {
        latestTs = Math.max(latestTs, ts);
        return ++version;
    }

    private void host(HostState h) {
        long v = next(h.getTs().toEpochMilli());
        if ("removed".equals(h.getState())) {
            HostRow gone = hosts.remove(h.getHost());
            if (gone != null) {
                gone.state = h;
                gone.v = v;
                removed.put(h.getHost(), v);
            }
            return;
        }
        HostRow row = hosts.computeIfAbsent(h.getHost(), k -> new HostRow());
        removed.remove(h.getHost());
        row.state = h;
        if (!DOWN.contains(h.getState())) {
            row.upVms = h.getVms();
        }
        row.v = v;
        // the progress of the host's incidents counts its VMs from before it went down
        for (IncidentRow inc : incidents.values()) {
            if (inc.endTs == null && inc.hosts.contains(h.getHost())) {
                inc.v = v;
            }
        }
    }

    private void incident(Incident i) {
        long ts = i.getTs().toEpochMilli();
        long v = next(ts);
        IncidentRow row = row(i.getIncidentId());
        if (row.state == null) {
            row.detectedTs = ts;
            // the spec's failure start: the last heartbeat of the hosts its first line names
            row.failureStartTs = failureStart(i.getEvidenceJson());
        }
        row.cluster = i.getCluster();
        row.kind = i.getKind().name();
        if (row.kind.equals("TELEMETRY_OUTAGE")) {
            for (String h : row.hosts) {
                if (!i.getHosts().contains(h)) {
                    leftOutage.put(h, row.id);
                }
            }
        }
        row.hosts = List.copyOf(i.getHosts());
        proofs(row.id, i.getEvidenceJson());
        if (RecoveryTime.hasFigures(i)) {
            row.hasFigures = true;
            row.figuresRecoveryS = RecoveryTime.seconds(i);
        }
        String state = i.getState().name();
        if (!state.equals(row.state)) {
            row.states.add(Map.of("state", state, "ts", ts));
        }
        row.state = state;
        if ((row.recoveredOrPartial() || state.equals("CLOSED")) && row.endTs == null) {
            row.endTs = ts;
        }
        if (row.recoveredOrPartial()) {
            recovered(row);
        }
        row.v = v;
    }

    /**
     * The row of an incident, made on the first record that names it: its commands can be read
     * before the incident itself (the topics are read side by side). Shown once its record came.
     */
    private IncidentRow row(String id) {
        IncidentRow row = incidents.get(id);
        if (row == null) {
            row = new IncidentRow(id);
            incidents.put(id, row);
            forgetEndedIncidents();
        }
        return row;
    }

    /** Keeps a long-running dashboard's memory bounded: the oldest ended incidents go first. */
    private void forgetEndedIncidents() {
        Iterator<IncidentRow> it = incidents.values().iterator();
        while (incidents.size() > INCIDENTS_KEPT && it.hasNext()) {
            IncidentRow row = it.next();
            if (row.endTs != null || row.state == null) {
                it.remove();
            }
        }
    }

    /** The earliest last heartbeat the evidence names: when the failure began. */
    private static Long failureStart(String evidenceJson) {
        if (evidenceJson == null) {
            return null;
        }
        try {
            JsonNode beats = JSON.readTree(evidenceJson).path("lastHeartbeat");
            Long min = null;
            for (Iterator<JsonNode> it = beats.elements(); it.hasNext(); ) {
                JsonNode b = it.next();
                if (b.isTextual()) {
                    long t = java.time.Instant.parse(b.asText()).toEpochMilli();
                    min = min == null ? t : Math.min(min, t);
                }
            }
            return min;
        } catch (Exception e) {
            return null; // evidence that does not parse only loses the failure's start
        }
    }

    private void command(Command c) {
        long ts = c.getTs().toEpochMilli();
        long v = next(ts);
        inFlight.put(c.getCommandId(), c);
        if (c.getIncidentId() != null) {
            IncidentRow inc = row(c.getIncidentId());
            issued(inc, c, ts);
            inc.v = v;
        }
        CommandResult r = early.remove(c.getCommandId());
        if (r != null) {
            result(r);
        }
    }

    private static void issued(IncidentRow inc, Command c, long ts) {
        switch (c.getAction().name()) {
            case "FENCE_HOST" -> inc.fenceTs = min(inc.fenceTs, ts);
            case "MAP_DISKS" -> inc.mapTs = min(inc.mapTs, ts);
            case "RESTART_VM", "LIVE_MIGRATE_VM" -> inc.restartTs = min(inc.restartTs, ts);
            default -> {}
        }
    }

    private void result(CommandResult r) {
        long ts = r.getTs().toEpochMilli();
        long v = next(ts);
        Command c = inFlight.remove(r.getCommandId()); // a repeated result finds nothing
        if (c == null) {
            early.put(r.getCommandId(), r);
            return;
        }
        if (c.getIncidentId() == null) {
            return;
        }
        IncidentRow inc = row(c.getIncidentId());
        boolean ok = r.getStatus().name().equals("SUCCEEDED");
        switch (c.getAction().name()) {
            case "FENCE_HOST" -> {
                if (ok) {
                    inc.fencedTs = max(inc.fencedTs, ts);
                }
            }
            case "MAP_DISKS" -> {
                if (ok) {
                    inc.mappedTs = max(inc.mappedTs, ts);
                }
            }
            case "RESTART_VM", "LIVE_MIGRATE_VM" -> {
                if (ok) {
                    inc.restartedTs = max(inc.restartedTs, ts);
                    inc.recovered.add(c.getVm());
                    if (inc.endTs != null && inc.recoveredOrPartial()) {
                        // read after the incident's end: the topics are read side by side
                        recovered(inc);
                    }
                }
            }
            default -> {}
        }
        inc.v = v;
    }

    /** Counts an ended incident's recovery time in the distribution, if it has one. */
    private void recovered(IncidentRow row) {
        Double s = row.recoverySeconds();
        if (s != null) {
            recoveries.put(row.id, s);
        }
    }

    private void alert(Alert a) {
        long ts = a.getTs().toEpochMilli();
        long v = next(ts);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", a.getKind());
        m.put("cluster", a.getCluster());
        m.put("incidentId", a.getIncidentId());
        m.put("host", a.getHost());
        m.put("vms", a.getVms().size());
        m.put("detail", a.getDetail());
        m.put("ts", ts);
        m.put("v", v);
        alerts.addLast(m);
        while (alerts.size() > ALERTS_KEPT) {
            alerts.removeFirst();
        }
        if (a.getIncidentId() != null && !a.getVms().isEmpty()) {
            IncidentRow inc = row(a.getIncidentId());
            inc.givenUp.addAll(a.getVms());
            inc.v = v;
        }
    }

    private void admission(Admission a) {
        long v = next(a.getTs().toEpochMilli());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hosts", a.getHosts());
        m.put("racks", a.getRacks());
        m.put("powerDomains", a.getPowerDomains());
        List<Map<String, Object>> risks = new ArrayList<>();
        for (AdmissionRisk r : a.getRisks()) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("kind", r.getKind());
            rm.put("id", r.getId());
            rm.put("unplacedVms", r.getUnplacedVms());
            rm.put("vms", r.getVms().stream().limit(20).toList());
            risks.add(rm);
        }
        m.put("risks", risks);
        m.put("ts", a.getTs().toEpochMilli());
        admissions.put(a.getCluster(), new Stamped<>(m, v));
    }

    private static Long min(Long a, long b) {
        return a == null ? b : Math.min(a, b);
    }

    private static Long max(Long a, long b) {
        return a == null ? b : Math.max(a, b);
    }

    /** The current version: what a page has once it was sent {@code since(...)} of now. */
    public synchronized long version() {
        return version;
    }

    /**
     * What changed after version {@code v} (everything for 0): hosts, hosts removed, incidents and
     * alerts touched since, and the per-cluster figures (always whole: they are small).
     */
    public synchronized Map<String, Object> since(long v) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("version", version);
        d.put("full", v == 0);
        d.put("now", latestTs);
        List<Object[]> hs = new ArrayList<>();
        for (HostRow row : hosts.values()) {
            if (row.v > v) {
                HostState h = row.state;
                // compact rows: 2,000 hosts of a snapshot stay small on the wire
                hs.add(
                        new Object[] {
                            h.getHost(),
                            h.getCluster(),
                            h.getRack(),
                            h.getState(),
                            h.getVms(),
                            round(h.getCpuUsed()),
                            round(h.getCpuTotal()),
                            round(h.getMemUsedMb()),
                            round(h.getMemTotalMb()),
                            h.getPowerDomain()
                        });
            }
        }
        d.put("hosts", hs);
        List<String> gone = new ArrayList<>();
        removed.forEach(
                (h, at) -> {
                    if (at > v) {
                        gone.add(h);
                    }
                });
        d.put("removed", gone);
        List<Map<String, Object>> incs = new ArrayList<>();
        for (IncidentRow row : incidents.values()) {
            if (row.v > v && row.state != null) {
                incs.add(incident(row));
            }
        }
        d.put("incidents", incs);
        List<Map<String, Object>> al = new ArrayList<>();
        for (Map<String, Object> a : alerts) {
            if ((long) a.get("v") > v) {
                al.add(a);
            }
        }
        d.put("alerts", al);
        d.put("clusters", clusters());
        d.put("recoveryTimes", new ArrayList<>(recoveries.values()));
        d.put("powerDomains", powerDomains());
        d.put("status", status.value());
        return d;
    }

    /**
     * Every power domain read or named by a proof, with its hosts in the fleet view; and how many
     * domains of the fleet have no reading.
     */
    private Map<String, Object> powerDomains() {
        Map<String, int[]> byDomain = new HashMap<>(); // domain -> {hosts, down}
        for (HostRow row : hosts.values()) {
            String pd = row.state.getPowerDomain();
            if (pd != null) {
                int[] n = byDomain.computeIfAbsent(pd, k -> new int[2]);
                n[0]++;
                if (DOWN.contains(row.state.getState())) {
                    n[1]++;
                }
            }
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (var e : domains.entrySet()) {
            DomainRow row = e.getValue();
            int[] n = byDomain.getOrDefault(e.getKey(), new int[2]);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("powerDomain", e.getKey());
            m.put("state", row.state);
            m.put("ts", row.state == null ? null : row.ts);
            m.put("source", row.source);
            m.put("hosts", n[0]);
            m.put("hostsDown", n[1]);
            m.put("provedOff", proofList(row.provedOff));
            m.put("confirmed", proofList(row.confirmed));
            // the hosts it proved off that left an outage for it: the outage ends without them
            TreeMap<String, String> outages = new TreeMap<>();
            row.provedOff.keySet().stream()
                    .filter(leftOutage::containsKey)
                    .forEach(h -> outages.put(h, leftOutage.get(h)));
            m.put("outagesLeft", proofList(outages));
            list.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domains", list);
        m.put(
                "unread",
                byDomain.keySet().stream()
                        .filter(pd -> !domains.containsKey(pd) || domains.get(pd).state == null)
                        .count());
        return m;
    }

    private List<Map<String, Object>> proofList(TreeMap<String, String> hostToIncident) {
        List<Map<String, Object>> list = new ArrayList<>();
        hostToIncident.forEach(
                (h, inc) -> {
                    IncidentRow row = incidents.get(inc);
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("host", h);
                    p.put("incidentId", inc);
                    p.put("kind", row == null ? null : row.kind);
                    p.put("state", row == null ? null : row.state);
                    list.add(p);
                });
        return list;
    }

    private Map<String, Object> incident(IncidentRow row) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", row.id);
        m.put("cluster", row.cluster);
        m.put("kind", row.kind);
        m.put("state", row.state);
        m.put("hosts", row.hosts);
        m.put("failureStartTs", row.failureStartTs);
        m.put("detectedTs", row.detectedTs);
        m.put("fenceTs", row.fenceTs);
        m.put("fencedTs", row.fencedTs);
        m.put("mapTs", row.mapTs);
        m.put("mappedTs", row.mappedTs);
        m.put("restartTs", row.restartTs);
        m.put("restartedTs", row.restartedTs);
        m.put("endTs", row.endTs);
        m.put("states", row.states);
        int total = 0;
        for (String h : row.hosts) {
            HostRow hr = hosts.get(h);
            total += hr == null ? 0 : hr.upVms;
        }
        m.put("vmsTotal", Math.max(total, row.recovered.size() + row.givenUp.size()));
        m.put("vmsRecovered", row.recovered.size());
        m.put("vmsGivenUp", row.givenUp.size());
        m.put("recoverySeconds", row.recoverySeconds());
        return m;
    }

    /** Per cluster: hosts by state, VMs, capacity headroom, commands in flight, admission. */
    private List<Map<String, Object>> clusters() {
        TreeMap<String, Map<String, Object>> byCluster = new TreeMap<>();
        for (HostRow row : hosts.values()) {
            HostState h = row.state;
            Map<String, Object> c =
                    byCluster.computeIfAbsent(h.getCluster(), DashboardModel::cluster);
            c.merge("hosts", 1, (a, b) -> (int) a + (int) b);
            c.merge("vms", h.getVms(), (a, b) -> (int) a + (int) b);
            @SuppressWarnings("unchecked")
            Map<String, Integer> states = (Map<String, Integer>) c.get("states");
            states.merge(h.getState(), 1, Integer::sum);
            if ("healthy".equals(h.getState())) {
                // headroom: what the hosts that can take VMs now have free
                c.merge(
                        "cpuFree",
                        h.getCpuTotal() - h.getCpuUsed(),
                        (a, b) -> (double) a + (double) b);
                c.merge("cpuTotal", h.getCpuTotal(), (a, b) -> (double) a + (double) b);
                c.merge(
                        "memFreeMb",
                        h.getMemTotalMb() - h.getMemUsedMb(),
                        (a, b) -> (double) a + (double) b);
                c.merge("memTotalMb", h.getMemTotalMb(), (a, b) -> (double) a + (double) b);
            }
        }
        TreeMap<String, TreeMap<String, Integer>> perTarget = new TreeMap<>();
        for (Command c : inFlight.values()) {
            Map<String, Object> m =
                    byCluster.computeIfAbsent(c.getCluster(), DashboardModel::cluster);
            m.merge("inFlight", 1, (a, b) -> (int) a + (int) b);
            String target = c.getTarget() != null ? c.getTarget() : c.getHost();
            perTarget
                    .computeIfAbsent(c.getCluster(), k -> new TreeMap<>())
                    .merge(target, 1, Integer::sum);
        }
        for (var e : admissions.entrySet()) {
            byCluster
                    .computeIfAbsent(e.getKey(), DashboardModel::cluster)
                    .put("admission", e.getValue().value());
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (var e : byCluster.entrySet()) {
            Map<String, Object> c = e.getValue();
            c.put("cluster", e.getKey());
            c.put("inFlightLimit", limits.maxInFlightPerCluster());
            c.put("perTargetLimit", limits.maxInFlightPerTarget());
            List<Map<String, Object>> targets = new ArrayList<>();
            perTarget.getOrDefault(e.getKey(), new TreeMap<>()).entrySet().stream()
                    .sorted((a, b) -> b.getValue() - a.getValue())
                    .limit(8)
                    .forEach(
                            t -> targets.add(Map.of("host", t.getKey(), "inFlight", t.getValue())));
            c.put("targets", targets);
            for (String k : List.of("cpuFree", "cpuTotal", "memFreeMb", "memTotalMb")) {
                c.put(k, round((double) c.get(k)));
            }
            list.add(c);
        }
        return list;
    }

    private static Map<String, Object> cluster(String name) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("hosts", 0);
        c.put("vms", 0);
        c.put("states", new TreeMap<String, Integer>());
        c.put("cpuFree", 0.0);
        c.put("cpuTotal", 0.0);
        c.put("memFreeMb", 0.0);
        c.put("memTotalMb", 0.0);
        c.put("inFlight", 0);
        c.put("admission", null);
        return c;
    }

    private static double round(double x) {
        return Math.round(x * 10) / 10.0;
    }
}
