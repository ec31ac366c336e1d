package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosVerdictTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChaosVerdict.Round ROUND =
            new ChaosVerdict.Round(1, 1_000, 60_000, List.of("h1", "h2"), List.of("vm1", "vm2"));

    @Test
    void aCleanRecoveryCountsNothingAndTimesTheLastRestart() {
        ObjectNode report = report();
        entry(report, "f1", "FENCE_HOST", "h1", null, 2_000);
        entry(report, "r1", "RESTART_VM", "h1", "vm1", 9_000);
        entry(report, "r2", "RESTART_VM", "h2", "vm2", 12_500);

        ChaosVerdict v = ChaosVerdict.of(report, List.of(ROUND));

        assertThat(v.clean()).isTrue();
        assertThat(v.recoveries()).containsExactly(new ChaosVerdict.Recovery(1, 2, 2, 11_500));
    }

    @Test
    void eachOfTheFourCountsIsFound() {
        ObjectNode report = report();
        entry(report, "f1", "FENCE_HOST", "h9", null, 2_000); // h9 never failed
        entry(report, "f2", "FENCE_HOST", "h1", null, 500); // before h1 failed
        entry(report, "r1", "RESTART_VM", "h1", "vm1", 9_000);
        entry(report, "r1", "RESTART_VM", "h1", "vm1", 9_500); // the same command again
        ((ArrayNode) report.get("onTwoHostsAtOnce")).add("vm1");
        // vm2 never restarted

        ChaosVerdict v = ChaosVerdict.of(report, List.of(ROUND));

        assertThat(v.clean()).isFalse();
        assertThat(v.vmsLost()).containsExactly("vm2");
        assertThat(v.commandsRunTwice()).containsExactly("r1");
        assertThat(v.healthyHostsFenced()).containsExactly("h1", "h9");
        assertThat(v.vmsOnTwoHosts()).containsExactly("vm1");
        assertThat(v.vmsRestartedMoreThanOnce()).containsExactly("vm1");
    }

    @Test
    void aHostFailedAgainIsHealthyBetweenItsRounds() {
        ChaosVerdict.Round again =
                new ChaosVerdict.Round(2, 80_000, 140_000, List.of("h1", "h2"), List.of("vm1"));
        ObjectNode report = report();
        entry(report, "f1", "FENCE_HOST", "h1", null, 2_000); // in round 1
        entry(report, "f2", "FENCE_HOST", "h2", null, 70_100); // repaired, not failed yet again
        entry(report, "f3", "FENCE_HOST", "h1", null, 90_000); // in round 2

        ChaosVerdict v = ChaosVerdict.of(report, List.of(ROUND, again));

        assertThat(v.healthyHostsFenced()).containsExactly("h2");
    }

    @Test
    void aRestartOutsideItsRoundDoesNotCount() {
        ObjectNode report = report();
        entry(report, "r1", "RESTART_VM", "h1", "vm1", 70_000); // after the round ended
        entry(report, "r2", "RESTART_VM", "h2", "vm2", 5_000);

        ChaosVerdict v = ChaosVerdict.of(report, List.of(ROUND));

        assertThat(v.vmsLost()).containsExactly("vm1");
        assertThat(v.recoveries().get(0).restarted()).isEqualTo(1);
    }

    @Test
    void faultsAreDealtEvenlyOverKindsAndRounds() {
        List<List<ChaosFault>> twenty = ChaosRun.plan(20, 5);
        assertThat(twenty).hasSize(5).allSatisfy(r -> assertThat(r).hasSize(4));
        assertThat(twenty.get(0)).containsOnly(ChaosFault.TASKMANAGER_KILL);
        assertThat(twenty.get(4)).containsOnly(ChaosFault.JOBMANAGER_KILL);
        assertThat(ChaosRun.plan(5, 1)).containsExactly(List.of(ChaosFault.values()));
    }

    private static ObjectNode report() {
        ObjectNode r = JSON.createObjectNode();
        r.putArray("ledger");
        r.putArray("onTwoHostsAtOnce");
        return r;
    }

    private static void entry(
            ObjectNode report, String id, String action, String host, String vm, long finished) {
        ((ArrayNode) report.get("ledger"))
                .addObject()
                .put("commandId", id)
                .put("action", action)
                .put("host", host)
                .put("vm", vm)
                .put("status", "SUCCEEDED")
                .put("started", finished - 100)
                .put("finished", finished);
    }
}
