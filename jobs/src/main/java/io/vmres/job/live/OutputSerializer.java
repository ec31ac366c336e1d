package io.vmres.job.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.out.AdmissionOut;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.DeadLetterOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.recording.ReplayOutputs;
import io.vmres.job.Emitted;
import io.vmres.schema.Action;
import io.vmres.schema.Admission;
import io.vmres.schema.AdmissionRisk;
import io.vmres.schema.Alert;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.HostState;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentKind;
import io.vmres.schema.IncidentState;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes each decision of the engines to its topic, Avro single-object encoded. */
public final class OutputSerializer implements KafkaRecordSerializationSchema<Emitted> {
  private static final long serialVersionUID = 1L;

  private transient AvroCodec codec;
  private transient ObjectMapper json;

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      Emitted e, KafkaSinkContext context, Long timestamp) {
    if (codec == null) {
      codec = new AvroCodec();
      json = new ObjectMapper();
    }
    String cluster = e.cluster();
    Object line = e.line();
    if (line instanceof CommandOut c) {
      // keyed by where the work happens, so that one target's commands stay in order
      String key = c.target() != null ? c.target() : c.host();
      return record(Topics.COMMANDS, key, command(c, cluster));
    } else if (line instanceof ResultOut r) {
      CommandResult result =
          CommandResult.newBuilder()
              .setCommandId(r.commandId())
              .setStatus(CommandStatus.valueOf(r.status()))
              .setDetail(r.detail())
              .setCluster(cluster)
              .setTs(Instant.ofEpochMilli(r.ts()))
              .build();
      return record(Topics.COMMAND_RESULTS, cluster, result);
    } else if (line instanceof IncidentOut i) {
      return record(Topics.INCIDENTS, i.incidentId(), incident(i, cluster));
    } else if (line instanceof AlertOut a) {
      Alert alert =
          Alert.newBuilder()
              .setKind(a.kind())
              .setIncidentId(a.incidentId())
              .setHost(a.host())
              .setVms(a.vms() == null ? List.of() : a.vms())
              .setDetail(a.detail())
              .setCluster(cluster)
              .setTs(Instant.ofEpochMilli(a.ts()))
              .build();
      return record(Topics.ALERTS, cluster, alert);
    } else if (line instanceof AdmissionOut a) {
      return record(Topics.FLEET_STATE, cluster, admission(a));
    } else if (line instanceof HostStateOut h) {
      return record(Topics.FLEET_STATE, h.host(), hostState(h));
    } else if (line instanceof DeadLetterOut d) {
      DeadLetter dl =
          DeadLetter.newBuilder()
              .setSource("engine/" + cluster)
              .setLine(d.line())
              .setReason(d.reason())
              .setRaw(d.raw())
              .setTs(Instant.ofEpochMilli(timestamp == null ? 0 : timestamp))
              .build();
      return record(Topics.DEAD_LETTER, cluster, dl);
    } else if (line instanceof DeadLetter dl) {
      return record(Topics.DEAD_LETTER, dl.getSource(), dl);
    }
    throw new IllegalArgumentException("no topic for " + line.getClass().getName());
  }

  static Admission admission(AdmissionOut a) {
    List<AdmissionRisk> risks = new ArrayList<>();
    for (AdmissionOut.Risk r : a.risks()) {
      risks.add(new AdmissionRisk(r.kind(), r.id(), r.unplacedVms(), r.vms()));
    }
    return new Admission(
        a.cluster(), a.hosts(), a.racks(), a.powerDomains(), risks, Instant.ofEpochMilli(a.ts()));
  }

  static Command command(CommandOut c, String cluster) {
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

  static HostState hostState(HostStateOut h) {
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

  private Incident incident(IncidentOut i, String cluster) {
    String evidence;
    String figures;
    try {
      evidence = i.evidence() == null ? null : json.writeValueAsString(i.evidence());
      figures =
          i.figures() == null
              ? null
              : json.writeValueAsString(ReplayOutputs.summaryOf(i.figures()));
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

  private ProducerRecord<byte[], byte[]> record(String topic, String key, SpecificRecord value) {
    return new ProducerRecord<>(
        topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), codec.encode(value));
  }
}
