package io.vmres.deploy.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.schema.Action;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.Incident;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shadow job's decisions as they arrive from its topics, gathered into what the comparison
 * needs ({@link ShadowReport.VmresSide}): the same figures a replay's output folder gives.
 */
final class LiveDecisions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long heartbeatTimeoutMs;
    private final LinkedHashMap<String, List<String>> incidentHosts = new LinkedHashMap<>();
    private final Map<String, Long> declared = new TreeMap<>();
    private final Map<String, Long> opened = new TreeMap<>();
    private final Map<String, Double> detectionS = new TreeMap<>();
    private final Map<String, Double> recoveryS = new TreeMap<>();
    private final Map<String, Command> restarts = new TreeMap<>();
    private final List<CommandResult> succeeded = new ArrayList<>();
    private long records;

    LiveDecisions(long heartbeatTimeoutMs) {
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
    }

    void incident(Incident i) throws IOException {
        records++;
        String kind = i.getKind().name();
        if (!kind.equals("HOST_FAILURE") && !kind.equals("NEEDS_CONFIRMATION")) {
            return;
        }
        String id = i.getIncidentId();
        long ts = i.getTs().toEpochMilli();
        opened.merge(id, ts, Math::min);
        List<String> hs = incidentHosts.computeIfAbsent(id, k -> new ArrayList<>());
        for (String h : i.getHosts()) {
            if (!hs.contains(h)) {
                hs.add(h);
            }
            declared.merge(h, ts, Math::min);
        }
        if (i.getFiguresJson() != null) {
            JsonNode f = JSON.readTree(i.getFiguresJson());
            if (f.hasNonNull("detectionS")) {
                detectionS.putIfAbsent(id, f.get("detectionS").asDouble());
            }
            if (f.hasNonNull("recoveryS")) {
                recoveryS.put(id, f.get("recoveryS").asDouble()); // the latest figures hold
            }
        }
    }

    void command(Command c) {
        records++;
        if (c.getAction() == Action.RESTART_VM) {
            restarts.put(c.getCommandId(), c);
        }
    }

    void result(CommandResult r) {
        records++;
        if (r.getStatus().name().equals("SUCCEEDED")) {
            succeeded.add(r);
        }
    }

    /** How many decisions were read: the report is made again only when it grew. */
    long records() {
        return records;
    }

    /** The figures so far; a result read before its command counts once the command is read. */
    ShadowReport.VmresSide side() {
        Map<String, String> target = new TreeMap<>();
        Map<String, Long> up = new TreeMap<>();
        List<CommandResult> inOrder = new ArrayList<>(succeeded);
        inOrder.sort(Comparator.comparing(CommandResult::getTs));
        for (CommandResult r : inOrder) {
            Command c = restarts.get(r.getCommandId());
            if (c != null && c.getVm() != null) {
                target.putIfAbsent(c.getVm(), c.getTarget());
                up.putIfAbsent(c.getVm(), r.getTs().toEpochMilli());
            }
        }
        Map<String, Long> failureStart = new TreeMap<>();
        detectionS.forEach(
                (id, d) -> {
                    if (opened.containsKey(id)) {
                        failureStart.put(id, opened.get(id) - Math.round(d * 1000));
                    }
                });
        Map<String, List<String>> hosts = new LinkedHashMap<>();
        incidentHosts.forEach((id, hs) -> hosts.put(id, List.copyOf(hs)));
        return new ShadowReport.VmresSide(
                hosts,
                Map.copyOf(declared),
                target,
                up,
                Map.copyOf(recoveryS),
                failureStart,
                heartbeatTimeoutMs);
    }
}
