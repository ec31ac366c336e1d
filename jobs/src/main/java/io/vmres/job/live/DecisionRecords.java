package io.vmres.job.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.recording.ReplayOutputs;
import io.vmres.schema.Action;
import io.vmres.schema.Admission;
import io.vmres.schema.AdmissionRisk;
import io.vmres.schema.Alert;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.HostState;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentKind;
import io.vmres.schema.IncidentState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster engine's decisions as the Avro records of the job's output topics: what the live job
 * writes, and what a dashboard of a replay reads without a broker in between.
 */
public final class DecisionRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DecisionRecords() {}

    public static Command command(CommandOut c, String cluster) {
        return Command.newBuilder()
                .setCommandId(c.commandId())
                .setIncidentId(c.incidentId())
                .setAction(Action.valueOf(c.action()))
                .setHost(c.host())
                .setTarget(c.target())
                .setVm(c.vm())
                .setVms(c.vms())
                .setDisks(c.disks())
                .setAttempt(c.attempt())
                .setPriority(c.priority())
                .setCluster(cluster)
                .setTs(Instant.ofEpochMilli(c.ts()))
                .build();
    }

    public static CommandResult result(ResultOut r, String cluster) {
        return CommandResult.newBuilder()
                .setCommandId(r.commandId())
                .setStatus(CommandStatus.valueOf(r.status()))
                .setDetail(r.detail())
                .setCluster(cluster)
                .setTs(Instant.ofEpochMilli(r.ts()))
                .build();
    }

    /** The incident line with its evidence and figures as JSON text. */
    public static Incident incident(IncidentOut i, String cluster) {
        String evidence;
        String figures;
        try {
            evidence = i.evidence() == null ? null : JSON.writeValueAsString(i.evidence());
            figures =
                    i.figures() == null
                            ? null
                            : JSON.writeValueAsString(ReplayOutputs.summaryOf(i.figures()));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("evidence of " + i.incidentId() + " is not JSON", ex);
        }
        return Incident.newBuilder()
                .setIncidentId(i.incidentId())
                .setKind(IncidentKind.valueOf(i.kind()))
                .setHosts(i.hosts())
                .setState(IncidentState.valueOf(i.state()))
                .setCluster(cluster)
                .setEvidenceJson(evidence)
                .setFiguresJson(figures)
                .setTs(Instant.ofEpochMilli(i.ts()))
                .build();
    }

    public static Alert alert(AlertOut a, String cluster) {
        return Alert.newBuilder()
                .setKind(a.kind())
                .setIncidentId(a.incidentId())
                .setHost(a.host())
                .setVms(a.vms() == null ? List.of() : a.vms())
                .setDetail(a.detail())
                .setCluster(cluster)
                .setTs(Instant.ofEpochMilli(a.ts()))
                .build();
    }

    public static Admission admission(AdmissionOut a) {
        List<AdmissionRisk> risks = new ArrayList<>();
        for (AdmissionOut.Risk r : a.risks()) {
            risks.add(new AdmissionRisk(r.kind(), r.id(), r.unplacedVms(), r.vms()));
        }
        return new Admission(
                a.cluster(),
                a.hosts(),
                a.racks(),
                a.powerDomains(),
                risks,
                Instant.ofEpochMilli(a.ts()));
    }

    public static HostState hostState(HostStateOut h) {
        return HostState.newBuilder()
                .setHost(h.host())
                .setCluster(h.cluster())
                .setState(h.state())
                .setRack(h.rack())
                .setPowerDomain(h.powerDomain())
                .setVms(h.vms())
                .setCpuUsed(h.cpuUsed())
                .setCpuTotal(h.cpuTotal())
                .setMemUsedMb(h.memUsedMb())
                .setMemTotalMb(h.memTotalMb())
                .setTs(Instant.ofEpochMilli(h.ts()))
                .build();
    }
}
