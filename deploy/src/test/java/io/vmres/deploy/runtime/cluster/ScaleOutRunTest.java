package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentKind;
import io.vmres.schema.IncidentState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scale-out run's choices: which racks fail, when a cluster counts as recovered, the ratio. */
class ScaleOutRunTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Racks of two hosts: {cluster, rack, HA VMs on its first host, non-HA VMs}. */
    private static ObjectNode report(Object[][] racks) {
        ObjectNode r = JSON.createObjectNode();
        ArrayNode hosts = r.putArray("hosts");
        ArrayNode vms = r.putArray("vms");
        int h = 0;
        int v = 0;
        for (Object[] rack : racks) {
            for (int i = 0; i < 2; i++) {
                String host = "h" + (++h);
                hosts.addObject()
                        .put("host", host)
                        .put("cluster", (String) rack[0])
                        .put("rack", (String) rack[1])
                        .put("spare", rack.length > 4)
                        .put("bmc", true)
                        .put("on", true);
                if (i == 0) {
                    for (int k = 0; k < (int) rack[2]; k++) {
                        vms.addObject().put("vm", "vm" + (++v)).put("host", host).put("ha", true);
                    }
                    for (int k = 0; k < (int) rack[3]; k++) {
                        vms.addObject().put("vm", "vm" + (++v)).put("host", host).put("ha", false);
                    }
                }
            }
        }
        return r;
    }

    @Test
    void racksOfOneShapeAreChosenInEveryCluster() {
        ObjectNode report =
                report(
                        new Object[][] {
                            {"c1", "r01", 5, 1},
                            {"c1", "r02", 6, 0},
                            {"c1", "r03", 9, 0, "spare"},
                            {"c2", "r04", 6, 2},
                            {"c2", "r05", 4, 0},
                            {"c3", "r06", 6, 0},
                            {"c3", "r07", 0, 3}
                        });
        List<ScaleOutRun.Rack> racks = ScaleOutRun.racks(report, Set.of());
        // a rack with a spare, or with no HA VM, never fails
        assertThat(racks)
                .extracting(ScaleOutRun.Rack::rack)
                .containsExactly("r01", "r02", "r04", "r05", "r06");
        Map<String, ScaleOutRun.Rack> chosen = ScaleOutRun.alike(racks, List.of("c1", "c2", "c3"));
        assertThat(chosen.values())
                .extracting(ScaleOutRun.Rack::rack)
                .containsExactly("r02", "r04", "r06");
        assertThat(chosen.values()).allSatisfy(r -> assertThat(r.haVms()).isEqualTo(6));
        assertThat(chosen.get("c2").vms()).isEqualTo(8);
        assertThat(chosen.get("c2").hosts()).hasSize(2);
    }

    @Test
    void afterAFailbackEveryHaVmOfTheRackRunsOnItOnceOrItIsNamed() {
        ObjectNode report = report(new Object[][] {{"c1", "r01", 3, 1}, {"c1", "r02", 2, 0}});
        ScaleOutRun.Rack rack = ScaleOutRun.racks(report, Set.of()).get(0);
        assertThat(rack.haVmIds()).containsExactly("vm1", "vm2", "vm3");
        // every VM where the report says, running there alone
        for (com.fasterxml.jackson.databind.JsonNode v : report.path("vms")) {
            ((ObjectNode) v).putArray("runningOn").add(v.path("host").asText());
        }
        assertThat(ScaleOutRun.notBack(report, rack)).isEmpty();

        ArrayNode vms = (ArrayNode) report.path("vms");
        // vm1 still on the other rack, vm2 placed back but running on two hosts, vm3 gone
        ((ObjectNode) vms.get(0)).put("host", "h3").putArray("runningOn").add("h3");
        ((ObjectNode) vms.get(1)).putArray("runningOn").add("h1").add("h3");
        vms.remove(2);

        assertThat(ScaleOutRun.notBack(report, rack)).containsExactly("vm1", "vm2", "vm3");
    }

    private static Incident incident(
            String id, List<String> hosts, IncidentState state, Double recoveryS) {
        return Incident.newBuilder()
                .setIncidentId(id)
                .setKind(IncidentKind.HOST_FAILURE)
                .setHosts(hosts)
                .setState(state)
                .setCluster("c1")
                .setFiguresJson(recoveryS == null ? null : "{\"recoveryS\":" + recoveryS + "}")
                .setTs(Instant.EPOCH)
                .build();
    }

    @Test
    void aClusterIsRecoveredOnceEveryIncidentOfItsRackEndedAndTheyNameEveryHost() {
        ScaleOutRun.Rack rack =
                new ScaleOutRun.Rack("c1", "r01", List.of("h1", "h2"), List.of("vm1"), 1);
        Incident other = incident("i0", List.of("h9"), IncidentState.OPEN, null);
        Incident open = incident("i1", List.of("h1"), IncidentState.OPEN, null);
        Incident done = incident("i1", List.of("h1"), IncidentState.RECOVERED, 31.5);
        Incident second = incident("i2", List.of("h2"), IncidentState.RECOVERING, null);
        Incident secondDone = incident("i2", List.of("h2"), IncidentState.RECOVERED, 33.25);

        assertThat(ScaleOutRun.recovered(rack, 1, false, List.of(other, open), Set.of())).isEmpty();
        // h2 is named by no incident yet
        assertThat(ScaleOutRun.recovered(rack, 1, false, List.of(other, open, done), Set.of()))
                .isEmpty();
        assertThat(ScaleOutRun.recovered(rack, 1, false, List.of(open, done, second), Set.of()))
                .isEmpty();
        Optional<ScaleOutRun.Recovery> r =
                ScaleOutRun.recovered(
                        rack, 1, false, List.of(other, open, done, second, secondDone), Set.of());
        assertThat(r).isPresent();
        // the later of its incidents' recovery times; the unrelated incident is not one of them
        assertThat(r.get().recoveryS()).isEqualTo(33.25);
        assertThat(r.get().incidents()).containsExactly("i1", "i2");

        // the same rack failed again: the incidents of the phase before do not count
        Set<String> before = Set.of("i0", "i1", "i2");
        List<Incident> all = List.of(other, open, done, second, secondDone);
        assertThat(ScaleOutRun.recovered(rack, 2, false, all, before)).isEmpty();
        Incident again = incident("i3", List.of("h1", "h2"), IncidentState.RECOVERING, null);
        Incident againDone = incident("i3", List.of("h1", "h2"), IncidentState.RECOVERED, 30.0);
        List<Incident> more = new java.util.ArrayList<>(all);
        more.add(again);
        assertThat(ScaleOutRun.recovered(rack, 2, false, more, before)).isEmpty();
        more.add(againDone);
        Optional<ScaleOutRun.Recovery> r2 = ScaleOutRun.recovered(rack, 2, false, more, before);
        assertThat(r2).isPresent();
        assertThat(r2.get().recoveryS()).isEqualTo(30.0);
        assertThat(r2.get().incidents()).containsExactly("i3");
    }

    private static ScaleOutRun.Recovery rec(int phase, boolean together, Double s) {
        return new ScaleOutRun.Recovery(
                "c1", "r01", 20, 200, phase, together, List.of(), s, 40, 200);
    }

    private static ScaleOutRun.Row row(double alone, double together) {
        return new ScaleOutRun.Row(
                "c1", List.of(rec(1, false, alone)), List.of(rec(2, true, together)), 0.10);
    }

    @Test
    void theBlocksAlternateSoThatEachKindComesAsOftenFirstAsLast() {
        assertThat(ScaleOutRun.order(1)).containsExactly("alone", "together");
        assertThat(ScaleOutRun.order(2)).containsExactly("alone", "together", "together", "alone");
        assertThat(ScaleOutRun.order(3))
                .containsExactly("alone", "together", "together", "alone", "alone", "together");
    }

    @Test
    void eachClusterComparesTheMediansOfItsPhases() {
        List<ScaleOutRun.Recovery> phases =
                List.of(
                        rec(1, false, 60.0),
                        rec(2, true, 36.0),
                        new ScaleOutRun.Recovery(
                                "c2", "r09", 20, 200, 2, true, List.of(), 99.0, 40, 200),
                        rec(3, true, 40.0),
                        rec(4, false, 42.0),
                        rec(5, false, 41.0));
        ScaleOutRun.Row row = ScaleOutRun.rows(List.of("c1"), phases, 0.10).get(0);
        assertThat(row.alone()).extracting(ScaleOutRun.Recovery::phase).containsExactly(1, 4, 5);
        assertThat(row.together()).extracting(ScaleOutRun.Recovery::phase).containsExactly(2, 3);
        // the median of three is the middle one; of two, their mean
        assertThat(row.aloneS()).isEqualTo(42.0);
        assertThat(row.togetherS()).isEqualTo(38.0);
        assertThat(row.within()).isTrue();
    }

    @Test
    void theLedgerIsComparedWhenTheJobGaveNoRecoveryTime() {
        ScaleOutRun.Recovery alone =
                new ScaleOutRun.Recovery("c1", "r01", 20, 200, 1, false, List.of(), null, 40, 200);
        ScaleOutRun.Recovery together =
                new ScaleOutRun.Recovery("c1", "r02", 20, 200, 2, true, List.of(), 30.0, 46, 200);
        ScaleOutRun.Row row = new ScaleOutRun.Row("c1", List.of(alone), List.of(together), 0.10);
        assertThat(row.byJob()).isFalse();
        assertThat(row.ratio()).isEqualTo(46 / 40.0);
        assertThat(row.within()).isFalse();
    }

    @Test
    void withinTheToleranceEitherWay() {
        assertThat(row(30.0, 32.9).within()).isTrue();
        assertThat(row(30.0, 33.1).within()).isFalse();
        assertThat(row(30.0, 26.9).within()).isFalse();
        assertThat(row(30.0, 30.0).byJob()).isTrue();
        assertThat(row(30.0, 30.0).ratio()).isEqualTo(1.0);
    }
}
