package io.vmres.deploy.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.deploy.whatif.FailureInjection;
import io.vmres.deploy.whatif.WhatIfQuestion;
import io.vmres.engine.Times;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded host failure replayed beside an incumbent's recorded actions, in Masakari's and in
 * vSphere's format: the report's figures are the ones worked out by hand from what each side did.
 */
class ShadowReplayTest {
    @TempDir static Path dir;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path recording;
    private static Path out;
    private static long lastBeat;
    private static List<String> vms;
    private static Map<String, String> vmresTargets;

    /** h07 loses power 90 s in; the replay recovers its VMs. */
    @BeforeAll
    static void incident() throws Exception {
        Path fleet = dir.resolve("fleet.jsonl");
        RecordingGenerator.write(
                fleet,
                new RecordingGenerator.Options(
                        60, 10, Duration.ofMinutes(4), 1, 0, 11, Duration.ofSeconds(5), false));
        WhatIfAnswer a =
                WhatIfQuestion.ask(fleet, null, 90_000L, List.of(Failure.parse("host:h07")))
                        .answer();
        recording = dir.resolve("incident.jsonl");
        FailureInjection.write(fleet, recording, a);
        out = dir.resolve("out");
        LocalReplay.run(recording, out, Map.of());
        lastBeat = a.clusters().get(0).hosts().get(0).lastHeartbeat();
        vms =
                a.clusters().get(0).restarts().stream()
                        .map(WhatIfAnswer.Restart::vm)
                        .sorted()
                        .toList();
        vmresTargets = WhatIfQuestion.targets(a);
        assertThat(vms).hasSizeGreaterThan(3);
    }

    private static String ts(long offsetMs) {
        return Times.format(lastBeat + offsetMs);
    }

    @Test
    void masakariNotificationsAgainstTheReplay() throws Exception {
        // Masakari declares h07 30 s after its last heartbeat, evacuates all but the last VM at
        // +90 s (the last one fails), and raises a false alarm on h20, which kept beating.
        List<String> lines = new ArrayList<>();
        ObjectNode host = notification("COMPUTE_HOST", "h07", ts(30_000), "finished");
        host.putObject("payload").put("event", "STOPPED").put("host_status", "NORMAL");
        ArrayNode details = host.putArray("recovery_workflow_details");
        ObjectNode task =
                details.addObject().put("name", "EvacuateInstancesTask").put("state", "SUCCESS");
        ArrayNode progress = task.putArray("progress_details");
        List<String> ok = vms.subList(0, vms.size() - 1);
        progress.addObject()
                .put("timestamp", ts(90_000))
                .put("progress", 0.7)
                .put(
                        "message",
                        "Successfully evacuate instances '"
                                + String.join(",", ok)
                                + "' from host 'h07'");
        progress.addObject()
                .put("timestamp", ts(95_000))
                .put("progress", 0.8)
                .put(
                        "message",
                        "Failed to evacuate instances '"
                                + vms.get(vms.size() - 1)
                                + "' from host 'h07'");
        lines.add(JSON.writeValueAsString(host));
        ObjectNode alarm = notification("COMPUTE_HOST", "h20", ts(20_000), "running");
        alarm.putObject("payload").put("event", "STOPPED").put("host_status", "UNKNOWN");
        lines.add(JSON.writeValueAsString(alarm));
        ObjectNode process = notification("PROCESS", "h21", ts(5_000), "finished");
        process.putObject("payload").put("event", "STOPPED").put("process_name", "nova-compute");
        lines.add(JSON.writeValueAsString(process));
        lines.add("not json");
        Path file = dir.resolve("masakari.jsonl");
        Files.write(file, lines);

        String said = ShadowRun.report(recording, out, file, IncumbentFormat.MASAKARI);
        assertThat(said).contains("2 incidents").contains("1 line unread");
        JsonNode r = JSON.readTree(out.resolve("shadow-report.json").toFile());
        JsonNode inc = r.get("incidents").get(0);
        assertThat(inc.get("hosts")).hasSize(1);
        JsonNode h = inc.get("declarations").get(0);
        assertThat(h.get("host").asText()).isEqualTo("h07");
        assertThat(h.get("first").asText()).isEqualTo("vmres");
        assertThat(h.get("leadS").asDouble()).isEqualTo(18.0); // 30 s - (10 s timeout + 2 s)
        assertThat(h.get("incumbentFalseAlarm").asBoolean()).isFalse();
        assertThat(inc.get("vmresRecoveryS").asDouble()).isEqualTo(44.0);
        assertThat(inc.get("incumbentRecoveryS").asDouble()).isEqualTo(90.0);
        assertThat(inc.get("notBroughtBackByIncumbent"))
                .extracting(JsonNode::asText)
                .containsExactly(vms.get(vms.size() - 1));
        assertThat(inc.get("notBroughtBackByVmres")).isEmpty();
        JsonNode alarmInc = r.get("incidents").get(1);
        assertThat(alarmInc.get("id").asText()).isEqualTo("incumbent-h20");
        assertThat(alarmInc.get("declarations").get(0).get("incumbentFalseAlarm").asBoolean())
                .isTrue();
        assertThat(alarmInc.get("declarations").get(0).get("first").asText())
                .isEqualTo("incumbent");
        assertThat(Files.readString(out.resolve("shadow-report.md")))
                .contains("Recovery time: vmres 44.0 s, incumbent 90.0 s.")
                .contains("![VMs back over time](inc-c1-0001.svg)");
        assertThat(Files.readString(out.resolve("inc-c1-0001.svg")))
                .startsWith("<svg")
                .contains("<path");
    }

    private static ObjectNode notification(
            String type, String host, String generated, String status) {
        ObjectNode n = JSON.createObjectNode();
        n.put("notification_uuid", "uuid-" + type + "-" + host);
        n.put("hostname", host);
        n.put("type", type);
        n.put("generated_time", generated);
        n.put("status", status);
        return n;
    }

    @Test
    void vsphereEventsAgainstTheReplay() throws Exception {
        // vSphere HA declares h07 down 25 s after its last heartbeat; restarts the first VM on h07
        // itself (a failed host), the others where vmres put them, all at +60 s but the last VM,
        // which is not protected.
        ArrayNode events = JSON.createArrayNode();
        events.addObject()
                .put("EventTypeId", "com.vmware.vc.HA.DasHostFailedEvent")
                .put("CreatedTime", ts(25_000))
                .put(
                        "FullFormattedMessage",
                        "A possible host failure has been detected by HA on h07")
                .putObject("FailedHost")
                .put("Name", "h07");
        for (int i = 0; i < vms.size() - 1; i++) {
            String target = i == 0 ? "h07" : vmresTargets.get(vms.get(i));
            ObjectNode e =
                    events.addObject()
                            .put("eventTypeId", "com.vmware.vc.ha.VmRestartedByHAEvent")
                            .put("createdTime", ts(60_000));
            e.putObject("vm").put("name", vms.get(i));
            e.putObject("host").put("name", target);
        }
        ObjectNode np =
                events.addObject()
                        .put("eventTypeId", "com.vmware.vc.ha.VmNotProtectedEvent")
                        .put("createdTime", ts(61_000));
        np.putObject("vm").put("name", vms.get(vms.size() - 1));
        np.putObject("host").put("name", "h07");
        events.addObject()
                .put("eventTypeId", "vim.event.UserLoginSessionEvent")
                .put("createdTime", ts(1_000));
        Path file = dir.resolve("vsphere.json");
        JSON.writeValue(file.toFile(), events);

        ShadowRun.report(recording, out, file, IncumbentFormat.VSPHERE);
        JsonNode inc = JSON.readTree(out.resolve("shadow-report.json").toFile()).get("incidents");
        assertThat(inc).hasSize(1);
        JsonNode i = inc.get(0);
        assertThat(i.get("declarations").get(0).get("leadS").asDouble()).isEqualTo(13.0);
        assertThat(i.get("incumbentRecoveryS").asDouble()).isEqualTo(60.0);
        assertThat(i.get("vmresRecoveryS").asDouble()).isEqualTo(44.0);
        JsonNode first = null;
        int refused = 0;
        for (JsonNode v : i.get("vms")) {
            if (v.get("vm").asText().equals(vms.get(0))) {
                first = v;
            }
            if (!v.get("vmresWouldRefuse").isNull()) {
                refused++;
            }
            assertThat(v.get("incumbentWouldRefuse").isNull()).isTrue();
        }
        assertThat(refused).isEqualTo(1);
        assertThat(first.get("incumbentTarget").asText()).isEqualTo("h07");
        assertThat(first.get("vmresWouldRefuse").asText()).isEqualTo("its target failed too");
        assertThat(i.get("notBroughtBackByIncumbent"))
                .extracting(JsonNode::asText)
                .containsExactly(vms.get(vms.size() - 1));
    }
}
