package io.vmres.deploy.dashboard;

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

/** Records of the topics the dashboard reads, built short for tests. */
final class Records {
    static final long T0 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();

    private Records() {}

    static Instant at(double seconds) {
        return Instant.ofEpochMilli(T0 + Math.round(seconds * 1000));
    }

    static HostState host(
            String host, String cluster, String rack, String state, int vms, double s) {
        return HostState.newBuilder()
                .setHost(host)
                .setCluster(cluster)
                .setRack(rack)
                .setPowerDomain("pd-" + rack)
                .setState(state)
                .setVms(vms)
                .setCpuUsed(vms * 4.0)
                .setCpuTotal(64)
                .setMemUsedMb(vms * 8192.0)
                .setMemTotalMb(262144)
                .setTs(at(s))
                .build();
    }

    static Incident incident(
            String id, String state, List<String> hosts, String evidence, double s) {
        return Incident.newBuilder()
                .setIncidentId(id)
                .setKind(IncidentKind.HOST_FAILURE)
                .setHosts(hosts)
                .setState(IncidentState.valueOf(state))
                .setCluster("c1")
                .setEvidenceJson(evidence)
                .setTs(at(s))
                .build();
    }

    /**
     * An incident line as the job writes it: with its figures, as {@code summary.json} has them.
     */
    static Incident incident(
            String id,
            String state,
            List<String> hosts,
            String evidence,
            String figures,
            double s) {
        Incident i = incident(id, state, hosts, evidence, s);
        i.setFiguresJson(figures);
        return i;
    }

    static Command command(
            String id,
            String incident,
            Action action,
            String host,
            String target,
            String vm,
            double s) {
        return Command.newBuilder()
                .setCommandId(id)
                .setIncidentId(incident)
                .setAction(action)
                .setHost(host)
                .setTarget(target)
                .setVm(vm)
                .setAttempt(1)
                .setCluster("c1")
                .setTs(at(s))
                .build();
    }

    static CommandResult result(String id, String status, double s) {
        return CommandResult.newBuilder()
                .setCommandId(id)
                .setStatus(CommandStatus.valueOf(status))
                .setDetail("ok")
                .setCluster("c1")
                .setTs(at(s))
                .build();
    }

    static Alert alert(String kind, String incident, List<String> vms, double s) {
        return Alert.newBuilder()
                .setKind(kind)
                .setIncidentId(incident)
                .setVms(vms)
                .setDetail("no host with room")
                .setCluster("c1")
                .setTs(at(s))
                .build();
    }
}
