package io.vmres.deploy.dashboard;

import static io.vmres.deploy.dashboard.Records.alert;
import static io.vmres.deploy.dashboard.Records.command;
import static io.vmres.deploy.dashboard.Records.host;
import static io.vmres.deploy.dashboard.Records.incident;
import static io.vmres.deploy.dashboard.Records.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Settings;
import io.vmres.schema.Action;
import io.vmres.schema.Admission;
import io.vmres.schema.AdmissionRisk;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the dashboard's model makes of the records it reads, and what it sends a page. */
class DashboardModelTest {
    private static final String EVIDENCE =
            "{\"lastHeartbeat\":{\"h1\":\"2026-03-01T10:00:20Z\"},\"power\":{\"h1\":\"on\"}}";

    private final DashboardModel model = new DashboardModel(Settings.DEFAULTS);

    @SuppressWarnings("unchecked")
    private <T> T get(Map<String, Object> m, String key) {
        return (T) m.get(key);
    }

    private Map<String, Object> incidentOf(Map<String, Object> delta, String id) {
        List<Map<String, Object>> list = get(delta, "incidents");
        return list.stream().filter(i -> i.get("id").equals(id)).findFirst().orElseThrow();
    }

    @Test
    void aPageIsSentOnlyWhatChangedSinceItsVersion() {
        model.apply(host("h1", "c1", "r1", "healthy", 5, 0));
        model.apply(host("h2", "c1", "r1", "healthy", 5, 0));
        Map<String, Object> first = model.since(0);
        assertThat((boolean) get(first, "full")).isTrue();
        assertThat(this.<List<Object[]>>get(first, "hosts")).hasSize(2);
        long v = model.version();

        // three changes of h1 between two sends: one row, the latest
        model.apply(host("h1", "c1", "r1", "suspect", 5, 30));
        model.apply(host("h1", "c1", "r1", "failed", 5, 32));
        model.apply(host("h1", "c1", "r1", "fenced", 5, 37));
        Map<String, Object> delta = model.since(v);
        assertThat((boolean) get(delta, "full")).isFalse();
        List<Object[]> rows = get(delta, "hosts");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)[0]).isEqualTo("h1");
        assertThat(rows.get(0)[3]).isEqualTo("fenced");
        assertThat(this.<List<Object[]>>get(model.since(model.version()), "hosts")).isEmpty();
    }

    @Test
    void incidentTimelineProgressAndRecoveryTime() {
        model.apply(host("h1", "c1", "r1", "healthy", 3, 0));
        model.apply(host("h2", "c1", "r2", "healthy", 0, 0));
        model.apply(host("h1", "c1", "r1", "failed", 3, 32));
        model.apply(incident("inc-c1-0001", "OPEN", List.of("h1"), EVIDENCE, 32));
        model.apply(command("f1", "inc-c1-0001", Action.FENCE_HOST, "h1", null, null, 32));
        model.apply(result("f1", "SUCCEEDED", 37));
        model.apply(command("m1", "inc-c1-0001", Action.MAP_DISKS, "h1", "h2", null, 37));
        model.apply(result("m1", "SUCCEEDED", 39));
        model.apply(command("r1", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v1", 39));
        model.apply(command("r2", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v2", 39));
        model.apply(alert("UNPLACED", "inc-c1-0001", List.of("v3"), 39));

        Map<String, Object> open = incidentOf(model.since(0), "inc-c1-0001");
        assertThat(open.get("vmsTotal")).isEqualTo(3);
        assertThat(open.get("vmsRecovered")).isEqualTo(0);
        assertThat(open.get("vmsGivenUp")).isEqualTo(1);
        List<Map<String, Object>> clusters = get(model.since(0), "clusters");
        assertThat(clusters.get(0).get("inFlight")).isEqualTo(2);
        assertThat(clusters.get(0).get("inFlightLimit"))
                .isEqualTo(Settings.DEFAULTS.maxInFlightPerCluster());

        model.apply(result("r1", "SUCCEEDED", 41));
        model.apply(result("r2", "SUCCEEDED", 42));
        // the host's VM count drops as they leave: the total stays what was on it before it failed
        model.apply(host("h1", "c1", "r1", "fenced", 0, 42));
        model.apply(incident("inc-c1-0001", "PARTIAL", List.of("h1"), EVIDENCE, 42));
        Map<String, Object> done = incidentOf(model.since(0), "inc-c1-0001");
        assertThat(done.get("vmsTotal")).isEqualTo(3);
        assertThat(done.get("vmsRecovered")).isEqualTo(2);
        assertThat(done.get("state")).isEqualTo("PARTIAL");
        assertThat(done.get("fenceTs")).isEqualTo(Records.at(32).toEpochMilli());
        assertThat(done.get("fencedTs")).isEqualTo(Records.at(37).toEpochMilli());
        assertThat(done.get("mappedTs")).isEqualTo(Records.at(39).toEpochMilli());
        assertThat(done.get("restartedTs")).isEqualTo(Records.at(42).toEpochMilli());
        // from the last heartbeat at 20 s to 42 s
        assertThat(done.get("recoverySeconds")).isEqualTo(22.0);
        assertThat(this.<List<Double>>get(model.since(0), "recoveryTimes")).containsExactly(22.0);
        assertThat(this.<List<Map<String, Object>>>get(model.since(0), "clusters").get(0))
                .containsEntry("inFlight", 0);
    }

    @Test
    void aPartialIncidentsRecoveryTimeEndsAtItsLastRecoveryNotAtItsEnd() {
        model.apply(host("h1", "c1", "r1", "healthy", 3, 0));
        model.apply(incident("inc-c1-0001", "OPEN", List.of("h1"), EVIDENCE, 32));
        model.apply(command("r1", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v1", 39));
        model.apply(command("r2", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v2", 39));
        model.apply(command("r3", "inc-c1-0001", Action.RESTART_VM, "h1", "h3", "v3", 39));
        model.apply(result("r1", "SUCCEEDED", 41));
        model.apply(result("r3", "FAILED", 44));
        // while open, nothing final to measure
        assertThat(incidentOf(model.since(0), "inc-c1-0001").get("recoverySeconds")).isNull();

        // v3 is given up much later; the incident ends PARTIAL then
        model.apply(alert("RETRIES_EXHAUSTED", "inc-c1-0001", List.of("v3"), 90));
        model.apply(incident("inc-c1-0001", "PARTIAL", List.of("h1"), EVIDENCE, 90));
        // from the last heartbeat at 20 s to the last successful restart at 41 s, as recoveryS
        assertThat(incidentOf(model.since(0), "inc-c1-0001").get("recoverySeconds"))
                .isEqualTo(21.0);
        assertThat(this.<List<Double>>get(model.since(0), "recoveryTimes")).containsExactly(21.0);

        // a result read after the incident's end (the topics are read side by side) counts too
        model.apply(result("r2", "SUCCEEDED", 43));
        assertThat(incidentOf(model.since(0), "inc-c1-0001").get("recoverySeconds"))
                .isEqualTo(23.0);
        assertThat(this.<List<Double>>get(model.since(0), "recoveryTimes")).containsExactly(23.0);
    }

    @Test
    void theRecoveryTimeIsTheJobsOwnRecoverySWhenTheIncidentLineCarriesIt() {
        model.apply(host("h1", "c1", "r1", "healthy", 3, 0));
        model.apply(incident("inc-c1-0001", "OPEN", List.of("h1"), EVIDENCE, 32));
        model.apply(command("r1", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v1", 39));
        model.apply(command("r2", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v2", 39));
        model.apply(result("r1", "SUCCEEDED", 41));
        // an answer that recovers nothing (the VM was no longer owed): the job does not count it
        model.apply(result("r2", "SUCCEEDED", 60));
        model.apply(alert("RETRIES_EXHAUSTED", "inc-c1-0001", List.of("v3"), 90));
        model.apply(
                incident(
                        "inc-c1-0001",
                        "PARTIAL",
                        List.of("h1"),
                        EVIDENCE,
                        "{\"detectionS\":12.0,\"recoveryS\":21.0,\"vmsRecovered\":1}",
                        90));
        assertThat(incidentOf(model.since(0), "inc-c1-0001").get("recoverySeconds"))
                .isEqualTo(21.0);
        assertThat(this.<List<Double>>get(model.since(0), "recoveryTimes")).containsExactly(21.0);
    }

    @Test
    void theFailureStartIsTheLastHeartbeatOfTheFirstNamedHosts() {
        model.apply(incident("inc-c1-0001", "OPEN", List.of("h1"), EVIDENCE, 32));
        // h9 joins later; its last heartbeat is earlier, but the failure began with h1's
        model.apply(
                incident(
                        "inc-c1-0001",
                        "OPEN",
                        List.of("h1", "h9"),
                        "{\"lastHeartbeat\":{\"h1\":\"2026-03-01T10:00:20Z\","
                                + "\"h9\":\"2026-03-01T10:00:05Z\"}}",
                        35));
        model.apply(command("r1", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v1", 39));
        model.apply(result("r1", "SUCCEEDED", 41));
        model.apply(incident("inc-c1-0001", "RECOVERED", List.of("h1", "h9"), EVIDENCE, 41));
        Map<String, Object> inc = incidentOf(model.since(0), "inc-c1-0001");
        assertThat(inc.get("failureStartTs")).isEqualTo(Records.at(20).toEpochMilli());
        assertThat(inc.get("recoverySeconds")).isEqualTo(21.0);
    }

    @Test
    void aPartialIncidentThatRecoveredNoVmHasNoRecoveryTime() {
        model.apply(host("h1", "c1", "r1", "healthy", 1, 0));
        model.apply(incident("inc-c1-0002", "OPEN", List.of("h1"), EVIDENCE, 32));
        model.apply(alert("UNPLACED", "inc-c1-0002", List.of("v1"), 32));
        model.apply(incident("inc-c1-0002", "PARTIAL", List.of("h1"), EVIDENCE, 32));
        Map<String, Object> inc = incidentOf(model.since(0), "inc-c1-0002");
        assertThat(inc.get("state")).isEqualTo("PARTIAL");
        assertThat(inc).containsEntry("recoverySeconds", null);
        assertThat(this.<List<Double>>get(model.since(0), "recoveryTimes")).isEmpty();
    }

    @Test
    void headroomCountsHealthyHostsAndAdmissionIsShownPerCluster() {
        model.apply(host("h1", "c1", "r1", "healthy", 4, 0)); // 16 of 64 cpu used
        model.apply(host("h2", "c1", "r1", "healthy", 8, 0)); // 32 of 64
        model.apply(host("h3", "c1", "r2", "failed", 8, 0)); // no room to offer
        Map<String, Object> c1 =
                this.<List<Map<String, Object>>>get(model.since(0), "clusters").get(0);
        assertThat(c1.get("cpuFree")).isEqualTo(80.0);
        assertThat(c1.get("cpuTotal")).isEqualTo(128.0);
        assertThat(c1.get("vms")).isEqualTo(20);
        assertThat(c1.get("admission")).isNull();

        model.apply(
                Admission.newBuilder()
                        .setCluster("c1")
                        .setHosts(3)
                        .setRacks(2)
                        .setPowerDomains(2)
                        .setRisks(
                                List.of(
                                        AdmissionRisk.newBuilder()
                                                .setKind("RACK")
                                                .setId("r1")
                                                .setUnplacedVms(4)
                                                .setVms(List.of("v1", "v2", "v3", "v4"))
                                                .build()))
                        .setTs(Records.at(1))
                        .build());
        c1 = this.<List<Map<String, Object>>>get(model.since(0), "clusters").get(0);
        Map<String, Object> admission = get(c1, "admission");
        List<Map<String, Object>> risks = get(admission, "risks");
        assertThat(risks)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.get("kind")).isEqualTo("RACK");
                            assertThat(r.get("unplacedVms")).isEqualTo(4);
                        });
    }

    @Test
    void recordsReadOutOfOrderAcrossTopicsStillAddUp() {
        model.apply(host("h1", "c1", "r1", "healthy", 2, 0));
        // the restart and its result are read before the incident, the result before its command
        model.apply(result("r1", "SUCCEEDED", 41));
        model.apply(command("r1", "inc-c1-0001", Action.RESTART_VM, "h1", "h2", "v1", 39));
        assertThat(this.<List<Map<String, Object>>>get(model.since(0), "incidents")).isEmpty();
        model.apply(host("h1", "c1", "r1", "failed", 2, 32));
        model.apply(incident("inc-c1-0001", "OPEN", List.of("h1"), EVIDENCE, 32));
        Map<String, Object> inc = incidentOf(model.since(0), "inc-c1-0001");
        assertThat(inc.get("vmsRecovered")).isEqualTo(1);
        assertThat(inc.get("vmsTotal")).isEqualTo(2);
        assertThat(inc.get("detectedTs")).isEqualTo(Records.at(32).toEpochMilli());
        assertThat(this.<List<Map<String, Object>>>get(model.since(0), "clusters").get(0))
                .containsEntry("inFlight", 0);
    }

    @Test
    void aRemovedHostLeavesTheMap() {
        model.apply(host("h1", "c1", "r1", "healthy", 4, 0));
        long v = model.version();
        model.apply(host("h1", "c1", "r1", "removed", 0, 5));
        Map<String, Object> delta = model.since(v);
        assertThat(this.<List<String>>get(delta, "removed")).containsExactly("h1");
        assertThat(this.<List<Object[]>>get(model.since(0), "hosts")).isEmpty();
    }
}
