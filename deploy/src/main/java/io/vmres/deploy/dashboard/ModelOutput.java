package io.vmres.deploy.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.schema.Action;
import io.vmres.schema.Alert;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.HostState;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentKind;
import io.vmres.schema.IncidentState;
import java.time.Instant;
import java.util.List;

/**
 * An engine's decisions of one cluster straight into a {@link DashboardModel}, as the records the
 * job would write to its topics: the dashboard of a replay, with no broker in between.
 */
final class ModelOutput implements Output {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String cluster;
  private final DashboardModel model;

  ModelOutput(String cluster, DashboardModel model) {
    this.cluster = cluster;
    this.model = model;
  }

  @Override
  public void command(CommandOut c) {
    model.apply(
        Command.newBuilder()
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
            .build());
  }

  @Override
  public void result(ResultOut r) {
    model.apply(
        CommandResult.newBuilder()
            .setCommandId(r.commandId())
            .setStatus(CommandStatus.valueOf(r.status()))
            .setDetail(r.detail())
            .setCluster(cluster)
            .setTs(Instant.ofEpochMilli(r.ts()))
            .build());
  }

  @Override
  public void incident(IncidentOut i) {
    String evidence;
    try {
      evidence = i.evidence() == null ? null : JSON.writeValueAsString(i.evidence());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("evidence of " + i.incidentId() + " is not JSON", e);
    }
    model.apply(
        Incident.newBuilder()
            .setIncidentId(i.incidentId())
            .setKind(IncidentKind.valueOf(i.kind()))
            .setHosts(i.hosts())
            .setState(IncidentState.valueOf(i.state()))
            .setCluster(cluster)
            .setEvidenceJson(evidence)
            .setTs(Instant.ofEpochMilli(i.ts()))
            .build());
  }

  @Override
  public void alert(AlertOut a) {
    model.apply(
        Alert.newBuilder()
            .setKind(a.kind())
            .setIncidentId(a.incidentId())
            .setHost(a.host())
            .setVms(a.vms() == null ? List.of() : a.vms())
            .setDetail(a.detail())
            .setCluster(cluster)
            .setTs(Instant.ofEpochMilli(a.ts()))
            .build());
  }

  @Override
  public void hostState(HostStateOut h) {
    model.apply(
        HostState.newBuilder()
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
            .build());
  }

  @Override
  public boolean wantsHostStates() {
    return true;
  }
}
