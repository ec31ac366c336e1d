package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.schema.Action;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentKind;
import io.vmres.schema.IncidentState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code vmres demo} prints of the job's decisions. */
class DemoConsoleTest {
    private static final long T0 = Instant.parse("2026-03-01T10:00:00Z").toEpochMilli();
    private static final String EVIDENCE =
            "{\"lastHeartbeat\":{\"h1\":\"2026-03-01T10:00:20Z\"},\"power\":{\"h1\":\"off\"}}";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final Demo demo = new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8));

    private static Instant at(double s) {
        return Instant.ofEpochMilli(T0 + Math.round(s * 1000));
    }

    private static Incident incident(IncidentState state, String figures, double s) {
        return Incident.newBuilder()
                .setIncidentId("inc-c1-0001")
                .setKind(IncidentKind.HOST_FAILURE)
                .setHosts(List.of("h1"))
                .setState(state)
                .setCluster("c1")
                .setEvidenceJson(EVIDENCE)
                .setFiguresJson(figures)
                .setTs(at(s))
                .build();
    }

    private void restart(String id, String vm, double issued, CommandStatus status, double at) {
        demo.onDecision(
                Command.newBuilder()
                        .setCommandId(id)
                        .setIncidentId("inc-c1-0001")
                        .setAction(Action.RESTART_VM)
                        .setHost("h1")
                        .setTarget("h2")
                        .setVm(vm)
                        .setAttempt(1)
                        .setCluster("c1")
                        .setTs(at(issued))
                        .build());
        demo.onDecision(
                CommandResult.newBuilder()
                        .setCommandId(id)
                        .setStatus(status)
                        .setCluster("c1")
                        .setTs(at(at))
                        .build());
    }

    @Test
    void aPartialIncidentsRecoveryTimeIsTheJobsRecoverySNotTheTimeOfItsLastLine() {
        demo.onDecision(incident(IncidentState.OPEN, null, 32));
        restart("r1", "v1", 39, CommandStatus.SUCCEEDED, 41);
        restart("r2", "v2", 39, CommandStatus.FAILED, 69);
        // v2 is given up at 90 s, and the incident ends PARTIAL then; its last VM recovered at 41 s
        demo.onDecision(
                incident(
                        IncidentState.PARTIAL,
                        "{\"detectionS\":12.0,\"recoveryS\":21.0,\"vmsRecovered\":1}",
                        90));
        String said = bytes.toString(StandardCharsets.UTF_8);
        assertThat(said)
                .contains("PARTIAL   inc-c1-0001 h1: 1 VM restarted, recovery time 21.0 s")
                .doesNotContain("70.0 s");
    }
}
