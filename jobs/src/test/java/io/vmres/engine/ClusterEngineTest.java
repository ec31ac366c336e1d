package io.vmres.engine;

import static io.vmres.engine.EngineFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.job.live.DecisionRecords;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule of the spec, asserted on the outputs of one cluster engine. */
class ClusterEngineTest {
    private static final Settings S = Settings.DEFAULTS;

    static Settings limits(int perTarget, int perCluster, int maxAttempts) {
        Settings d = Settings.DEFAULTS;
        return new Settings(
                d.heartbeatTimeoutMs(),
                d.outOfOrdernessMs(),
                d.massSilenceFraction(),
                perTarget,
                perCluster,
                d.commandTimeoutMs(),
                maxAttempts,
                d.eccWindowMs(),
                d.eccThreshold(),
                d.tempThresholdC(),
                d.tempWindows(),
                d.smartWindowMs(),
                d.smartPendingRise(),
                d.smartReallocatedRise(),
                d.evacuationLeadTimeMs(),
                d.maxClockSkewMs());
    }

    /** Hosts h1..hn in their own racks, all beating every second until 60 s but those that die. */
    private static EngineFixture fleet(Settings s, int n) {
        EngineFixture f = new EngineFixture(s);
        for (int i = 1; i <= n; i++) {
            f.host("h" + i, "r" + i);
        }
        return f;
    }

    private static void alive(EngineFixture f, String... hosts) {
        for (String h : hosts) {
            f.beats(h, 0, 300, 1);
        }
    }

    @Test
    void silentHostIsDeclaredAtLossPlusOutOfOrderness() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(25, "h1", "off").run();
        IncidentOut first = f.incidents.get(0);
        assertThat(first.kind()).isEqualTo("HOST_FAILURE");
        assertThat(first.hosts()).containsExactly("h1");
        // last beat 20 s, lost at 30 s, classified at 30 + 2 s
        assertThat(first.ts()).isEqualTo(at(32));
        assertThat(f.commands("FENCE_HOST"))
                .isEmpty(); // power reads off: known down without a fence
    }

    @Test
    void gapOfExactlyTheTimeoutIsNoLoss() {
        EngineFixture f = fleet(S, 4);
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 300, 10).run();
        assertThat(f.incidents).isEmpty();
    }

    @Test
    void silenceAfterTheEndOfInputIsNoFailure() {
        EngineFixture f = fleet(S, 2);
        f.beats("h1", 0, 60, 1).beats("h2", 0, 55, 1).run();
        // h2 is lost at 65 s, after the last event (60 s): never a loss
        assertThat(f.incidents).isEmpty();
    }

    @Test
    void hostWithPowerOnIsFencedBeforeItsVmsRestart() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(1, "h1", "on").run();
        CommandOut fence = f.commands("FENCE_HOST").get(0);
        assertThat(fence.ts()).isEqualTo(at(32));
        CommandOut map = f.commands("MAP_DISKS").get(0);
        CommandOut restart = f.commands("RESTART_VM").get(0);
        // fence answered after 5 s, map issued after that result, restart after the map's 2 s
        assertThat(map.ts()).isEqualTo(at(37));
        assertThat(restart.ts()).isEqualTo(at(39));
        assertThat(f.incidents.get(f.incidents.size() - 1).state()).isEqualTo("RECOVERED");
    }

    @Test
    void hostsOfOneRackLostTogetherAreOneIncident() {
        EngineFixture f = new EngineFixture(S);
        f.host("a1", "ra")
                .host("a2", "ra")
                .host("b1", "rb")
                .host("b2", "rb")
                .host("c1", "rc")
                .host("c2", "rc")
                .host("d1", "rd");
        f.vm("v1", "a1", 500, null, List.of()).vm("v2", "a2", 500, null, List.of());
        for (String h : List.of("b1", "b2", "c1", "c2", "d1")) {
            f.beats(h, 0, 60, 1);
        }
        f.beats("a1", 0, 20, 1)
                .beats("a2", 0, 20.5, 0.5)
                .power(21, "a1", "off")
                .power(21, "a2", "off")
                .run();
        List<IncidentOut> failures = f.incidents("HOST_FAILURE");
        assertThat(failures).extracting(IncidentOut::incidentId).containsOnly("inc-c1-0001");
        assertThat(failures.get(0).hosts()).containsExactly("a1", "a2");
        // the failed rack is never a target
        assertThat(f.commands("RESTART_VM"))
                .extracting(CommandOut::target)
                .doesNotContain("a1", "a2");
    }

    @Test
    void halfTheClusterSilentIsATelemetryOutageWithoutActions() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h3", "h4");
        f.beats("h1", 0, 20, 1).beats("h2", 0, 20, 1).power(1, "h1", "on").run();
        assertThat(f.incidents).extracting(IncidentOut::kind).containsOnly("TELEMETRY_OUTAGE");
        assertThat(f.incidents.get(0).hosts()).containsExactly("h1", "h2");
        assertThat(f.commands).isEmpty();
    }

    @Test
    void managementLossWithStorageAliveIsAnIsolationClosedWhenManagementReturns() {
        EngineFixture f = fleet(S, 3).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3");
        f.beats("h1", 0, 300, 1, "storage")
                .beats("h1", 0, 20, 1, "mgmt")
                .beats("h1", 40, 300, 1, "mgmt")
                .run();
        assertThat(f.incidents).extracting(IncidentOut::kind).containsOnly("HOST_ISOLATED");
        assertThat(f.incidents).extracting(IncidentOut::state).containsExactly("OPEN", "CLOSED");
        assertThat(f.incidents.get(0).ts()).isEqualTo(at(32));
        assertThat(f.incidents.get(1).ts()).isEqualTo(at(40));
        assertThat(f.commands).isEmpty();
    }

    @Test
    void hostWithoutBmcWaitsForAValidConfirmation() {
        EngineFixture f = new EngineFixture(S);
        f.host("h1", "r1", false, false, 64).host("h2", "r2").host("h3", "r3").host("h4", "r4");
        f.vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).confirm(31, "h1").confirm(45, "h1").confirm(46, "h1").run();
        assertThat(f.incidents.get(0).kind()).isEqualTo("NEEDS_CONFIRMATION");
        // before the declaration (32 s), and once more after the valid one: ignored, told
        assertThat(f.alerts("CONFIRM_IGNORED"))
                .extracting(AlertOut::ts)
                .containsExactly(at(31), at(46));
        assertThat(f.commands("FENCE_HOST")).isEmpty();
        assertThat(f.commands("MAP_DISKS").get(0).ts()).isEqualTo(at(45));
        assertThat(f.commands("RESTART_VM")).hasSize(1);
    }

    @Test
    void failedRestartIsRetriedOnAnotherTargetThenGivenUp() {
        EngineFixture f = fleet(S, 5).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4", "h5");
        f.beats("h1", 0, 20, 1).power(21, "h1", "off").fault(0, "RESTART_VM", 99, null, "v1").run();
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(restarts).extracting(CommandOut::attempt).containsExactly(1, 2, 3);
        assertThat(restarts).extracting(CommandOut::target).doesNotHaveDuplicates();
        AlertOut alert = f.alerts("RETRIES_EXHAUSTED").get(0);
        assertThat(alert.vms()).containsExactly("v1");
        assertThat(f.incidents.get(f.incidents.size() - 1).state()).isEqualTo("PARTIAL");
    }

    @Test
    void simFaultFailsOnlyItsCountOfCommands() {
        EngineFixture f =
                fleet(S, 5)
                        .vm("v1", "h1", 500, null, List.of())
                        .vm("v2", "h1", 400, null, List.of());
        alive(f, "h2", "h3", "h4", "h5");
        f.beats("h1", 0, 20, 1).power(21, "h1", "off").fault(0, "RESTART_VM", 1, null, null).run();
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(f.status(restarts.get(0).commandId())).isEqualTo("FAILED");
        assertThat(restarts.subList(1, restarts.size()))
                .allSatisfy(c -> assertThat(f.status(c.commandId())).isEqualTo("SUCCEEDED"));
        assertThat(f.alerts).isEmpty();
    }

    @Test
    void inFlightLimitPerTargetSerializesRestarts() {
        EngineFixture f = fleet(limits(1, 256, 3), 2);
        f.vm("v1", "h1", 500, null, List.of())
                .vm("v2", "h1", 900, null, List.of())
                .vm("v3", "h1", 100, null, List.of());
        alive(f, "h2");
        f.beats("h2", 60, 200, 1).beats("h1", 0, 20, 1).power(21, "h1", "off");
        // the cluster is 2 hosts: one silent is half of it, so make h1's failure certain by power
        f.run();
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(restarts).extracting(CommandOut::vm).containsExactly("v2", "v1", "v3");
        assertThat(restarts.get(1).ts() - restarts.get(0).ts()).isEqualTo(30_000);
    }

    @Test
    void spareTakesRestartsFirstAndAntiAffinityAndCapacityHold() {
        EngineFixture f = new EngineFixture(S);
        f.host("h1", "r1").host("s1", "r2", true, true, 8).host("h3", "r3").host("h4", "r4");
        f.vm("v1", "h1", 500, "g", List.of())
                .vm("v2", "h1", 500, "g", List.of())
                .vm("v3", "h1", 500, null, List.of())
                .vm("w", "h3", 500, "g", List.of());
        alive(f, "s1", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(21, "h1", "off").run();
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(restarts).hasSize(3);
        // spare s1 (8 cpu) holds two 4-cpu VMs at most, and never two of group g
        assertThat(restarts.stream().filter(c -> c.target().equals("s1")).count()).isEqualTo(2);
        assertThat(
                        restarts.stream()
                                .filter(c -> c.vm().startsWith("v"))
                                .map(CommandOut::target)
                                .filter(t -> !t.equals("s1"))
                                .toList())
                .containsOnly("h4");
    }

    @Test
    void capacityShortageLeavesLowestPriorityUnplaced() {
        EngineFixture f = new EngineFixture(S);
        f.host("h1", "r1").host("h2", "r2", true, false, 8).host("h3", "r3", true, false, 4);
        f.vm("v1", "h1", 900, null, List.of())
                .vm("v2", "h1", 500, null, List.of())
                .vm("v3", "h1", 500, null, List.of())
                .vm("v4", "h1", 100, null, List.of());
        alive(f, "h2", "h3");
        f.beats("h1", 0, 20, 1).power(21, "h1", "off").run();
        assertThat(f.commands("RESTART_VM"))
                .extracting(CommandOut::vm)
                .containsExactlyInAnyOrder("v1", "v2", "v3");
        assertThat(f.alerts("UNPLACED").get(0).vms()).containsExactly("v4");
    }

    @Test
    void dependentVmWaitsForItsDependencyAndIsGivenUpWhenItCannotRun() {
        EngineFixture f = fleet(S, 4);
        f.vm("db", "h1", 100, null, List.of())
                .vm("app", "h1", 900, null, List.of("db"))
                .vm("cache", "h1", 500, false, null, List.of(), 4)
                .vm("web", "h1", 500, null, List.of("cache"));
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(21, "h1", "off").run();
        CommandOut db =
                f.commands("RESTART_VM").stream()
                        .filter(c -> c.vm().equals("db"))
                        .findFirst()
                        .orElseThrow();
        CommandOut app =
                f.commands("RESTART_VM").stream()
                        .filter(c -> c.vm().equals("app"))
                        .findFirst()
                        .orElseThrow();
        assertThat(app.ts()).isEqualTo(db.ts() + 30_000);
        // cache is not HA: it is never restarted, so web never runs
        assertThat(f.alerts("DEPENDENCY_UNMET").get(0).vms()).containsExactly("web");
        assertThat(f.commands("RESTART_VM"))
                .extracting(CommandOut::vm)
                .doesNotContain("cache", "web");
    }

    @Test
    void correctableEccOverThresholdInTheWindowDrainsTheHost() {
        EngineFixture f = fleet(S, 3).vm("v1", "h1", 500, null, List.of());
        alive(f, "h1", "h2", "h3");
        f.health(10, "h1", "ecc_correctable", 60)
                .health(20, "h1", "ecc_correctable", 39)
                .health(30, "h1", "ecc_correctable", 1)
                .health(30, "h2", "ecc_correctable", 99)
                .run();
        assertThat(f.incidents("PREDICTED_FAILURE")).isNotEmpty();
        assertThat(f.incidents.get(0).hosts()).containsExactly("h1");
        assertThat(f.incidents.get(0).ts()).isEqualTo(at(30));
        CommandOut mig = f.commands("LIVE_MIGRATE_VM").get(0);
        assertThat(mig.host()).isEqualTo("h1");
        assertThat(f.commands("RESTART_VM")).isEmpty();
        assertThat(f.commands("MAP_DISKS")).isEmpty();
    }

    @Test
    void smartLevelNeverFiresButGrowthDoes() {
        EngineFixture f = fleet(S, 3);
        alive(f, "h1", "h2", "h3");
        f.health(10, "h2", "smart_pending", 500)
                .health(20, "h2", "smart_pending", 505)
                .health(10, "h1", "smart_pending", 2)
                .health(20, "h1", "smart_pending", 10)
                .run();
        assertThat(f.incidents("PREDICTED_FAILURE"))
                .filteredOn(i -> i.state().equals("OPEN"))
                .extracting(i -> i.hosts().get(0))
                .containsExactly("h1");
    }

    @Test
    void threeHotAlignedMinutesFireAtTheEndOfTheThird() {
        EngineFixture f = fleet(S, 3);
        f.beats("h1", 0, 300, 1).beats("h2", 0, 300, 1).beats("h3", 0, 300, 1);
        for (int s = 0; s < 300; s += 20) {
            f.health(s + 5, "h1", "cpu_temp_c", s >= 60 ? 91 : 80);
            f.health(s + 5, "h2", "cpu_temp_c", s == 120 ? 89 : 95);
        }
        f.run();
        List<IncidentOut> pf = f.incidents("PREDICTED_FAILURE");
        // h1: hot minutes [60,120), [120,180), [180,240): fires at 240 s
        assertThat(pf).extracting(i -> i.hosts().get(0)).contains("h1");
        assertThat(pf.stream().filter(i -> i.hosts().contains("h1")).findFirst().orElseThrow().ts())
                .isEqualTo(at(240));
        // h2: hot minutes 0 and 1, one cool sample in minute 2, hot minutes 3 and 4: never three
        assertThat(pf).noneMatch(i -> i.hosts().contains("h2"));
    }

    @Test
    void maintenanceEndDropsMigrationsNotYetIssued() {
        EngineFixture f = fleet(limits(1, 256, 3), 2);
        f.vm("v1", "h1", 500, null, List.of())
                .vm("v2", "h1", 400, null, List.of())
                .vm("v3", "h1", 300, null, List.of());
        alive(f, "h1", "h2");
        f.maintenance(10, "h1").maintenanceEnd(35, "h1").run();
        // one migration at a time to h2: 10 s and 30 s issued, the third dropped at 35 s
        assertThat(f.commands("LIVE_MIGRATE_VM"))
                .extracting(CommandOut::vm)
                .containsExactly("v1", "v2");
        assertThat(f.incidents).extracting(IncidentOut::state).endsWith("CLOSED");
    }

    private static EngineFixture externalCrash() {
        return external().power(21, "h1", "off");
    }

    /** h1, h2, h3 in racks of their own, v1 on h1; h1 beats until 20 s, the others on. */
    private static EngineFixture external() {
        EngineFixture f =
                new EngineFixture(
                        new ClusterEngine(
                                "c1", S, EngineOptions.of(ClusterEngine.Hypervisor.EXTERNAL)));
        f.host("h1", "r1").host("h2", "r2").host("h3", "r3");
        f.vm("v1", "h1", 500, null, List.of());
        return f.beats("h2", 0, 400, 1).beats("h3", 0, 400, 1).beats("h1", 0, 20, 1);
    }

    @Test
    void externalResultsAreMatchedByIdAndARestartTimedOutByTheJobIsInDoubt() {
        EngineFixture f = externalCrash();
        String map = "inc-c1-0001-0001";
        f.result(33, map, "SUCCEEDED").result(34, map, "FAILED").result(34, "nope", "FAILED");
        f.run();
        // a duplicate and an unknown result id change nothing; the restart waited for the map
        assertThat(f.commands)
                .extracting(CommandOut::action)
                .containsExactly("MAP_DISKS", "RESTART_VM");
        assertThat(f.commands.get(1).ts()).isEqualTo(at(33));
        // no answer to the restart: timed out after commandTimeout; it may have run after all (a
        // connector that died mid-call), so it is never started elsewhere, and an operator is told
        assertThat(f.results.get(1).status()).isEqualTo("TIMED_OUT");
        assertThat(f.results.get(1).ts()).isEqualTo(at(333));
        assertThat(f.commands("RESTART_VM")).hasSize(1);
        assertThat(f.alerts("IN_DOUBT"))
                .singleElement()
                .satisfies(a -> assertThat(a.vms()).containsExactly("v1"));
        assertThat(f.incidents).extracting(IncidentOut::state).doesNotContain("RECOVERED");
    }

    @Test
    void liveIdsCarryTheRunsEpochSoThatARunWithoutStateNeverReusesOne() throws Exception {
        List<List<String>> ids = new ArrayList<>();
        for (String epoch : List.of("tb3x5c", "tb3y9a")) {
            EngineFixture f =
                    new EngineFixture(
                            new ClusterEngine(
                                    "c1",
                                    S,
                                    EngineOptions.of(ClusterEngine.Hypervisor.EXTERNAL)
                                            .withIdEpoch(epoch)));
            f.host("h1", "r1").host("h2", "r2").host("h3", "r3");
            f.vm("v1", "h1", 500, null, List.of());
            f.beats("h2", 0, 100, 1).beats("h3", 0, 100, 1).beats("h1", 0, 20, 1);
            f.power(21, "h1", "off").run();
            assertThat(f.incidents.get(0).incidentId()).isEqualTo("inc-c1-" + epoch + "-0001");
            ids.add(f.commands.stream().map(CommandOut::commandId).toList());
        }
        // the same input in two runs of the job: no command id in common
        assertThat(ids.get(0)).isNotEmpty().doesNotContainAnyElementsOf(ids.get(1));
        assertThat(ids.get(0).get(0)).isEqualTo("inc-c1-tb3x5c-0001-0001");
    }

    @Test
    void aRestartAConnectorCouldNotSettleIsNeverStartedElsewhere() {
        EngineFixture f = externalCrash();
        f.result(33, "inc-c1-0001-0001", "SUCCEEDED")
                .result(40, "inc-c1-0001-0002", "FAILED", "in doubt: no answer; h2 unreachable");
        f.run();
        assertThat(f.commands("RESTART_VM")).hasSize(1);
        assertThat(f.commands("MAP_DISKS")).hasSize(1);
        assertThat(f.alerts("IN_DOUBT")).hasSize(1);
        assertThat(f.alerts("RETRIES_EXHAUSTED")).isEmpty();
    }

    /**
     * Live: the cloud's inventory tells where a restarted VM runs, often before the connector's
     * result comes in (the simulated fleet publishes it during the call). The restart is the
     * incident's own, so the result still recovers the VM and its figures count it.
     */
    @Test
    void aLiveRestartTheInventoryReportsBeforeItsResultIsStillRecovered() throws Exception {
        for (double inventoryAt : new double[] {34.5, 35}) {
            EngineFixture f = externalCrash();
            f.result(33, "inc-c1-0001-0001", "SUCCEEDED")
                    .placed(inventoryAt, "v1", "h2", 500)
                    .result(35, "inc-c1-0001-0002", "SUCCEEDED");
            f.run();
            assertThat(f.commands("RESTART_VM"))
                    .singleElement()
                    .satisfies(c -> assertThat(c.target()).isEqualTo("h2"));
            IncidentOut recovered = f.incidents.get(f.incidents.size() - 1);
            assertThat(recovered.state()).isEqualTo("RECOVERED");
            assertThat(recovered.figures().vmsRecovered()).isEqualTo(1);
            assertThat(recovered.figures().lastRecoveryTs()).isEqualTo(at(35));
            // as the incidents topic carries it: RTO from the last heartbeat at 20 s
            JsonNode figures =
                    new ObjectMapper()
                            .readTree(DecisionRecords.incident(recovered, "c1").getFiguresJson());
            assertThat(figures.get("recoveryS").decimalValue()).isEqualByComparingTo("15.000");
            assertThat(figures.get("vmsRecovered").asInt()).isEqualTo(1);
            assertThat(f.engine.fleet().vms().get("v1").host()).isEqualTo("h2");
        }
    }

    @Test
    void aLiveRestartFailedAfterTheInventoryPlacedItOnItsTargetIsNotStartedAgain() {
        EngineFixture f = externalCrash();
        f.result(33, "inc-c1-0001-0001", "SUCCEEDED")
                .placed(34, "v1", "h2", 500)
                .result(35, "inc-c1-0001-0002", "FAILED", "start reported an error");
        f.run();
        // it runs on h2 by the inventory: a second copy elsewhere is never started
        assertThat(f.commands("RESTART_VM")).hasSize(1);
        assertThat(f.incidents.get(f.incidents.size() - 1).figures().vmsRecovered()).isZero();
    }

    @Test
    void aLiveRestartUndoneByItsConnectorIsRetriedOnAnotherTarget() {
        EngineFixture f = externalCrash();
        // the connector stopped the copy it started late on h2: the VM is back on h1, not running
        f.result(33, "inc-c1-0001-0001", "SUCCEEDED")
                .placed(34, "v1", "h2", 500)
                .placed(36, "v1", "h1", 500)
                .result(36, "inc-c1-0001-0002", "FAILED", "timed out; stopped")
                .result(37, "inc-c1-0001-0003", "SUCCEEDED")
                .result(38, "inc-c1-0001-0004", "SUCCEEDED");
        f.run();
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(restarts).hasSize(2);
        assertThat(restarts.get(1).target()).isEqualTo("h3");
        IncidentOut last = f.incidents.get(f.incidents.size() - 1);
        assertThat(last.state()).isEqualTo("RECOVERED");
        assertThat(last.figures().lastRecoveryTs()).isEqualTo(at(38));
    }

    @Test
    void aPlainFailureIsStillRetriedOnAnotherTarget() {
        EngineFixture f = externalCrash();
        f.result(33, "inc-c1-0001-0001", "SUCCEEDED")
                .result(40, "inc-c1-0001-0002", "FAILED", "start failed: no such image; stopped")
                .result(41, "inc-c1-0001-0003", "SUCCEEDED")
                .result(50, "inc-c1-0001-0004", "SUCCEEDED");
        f.run();
        // retried on another target, its disks mapped there first
        assertThat(f.commands("MAP_DISKS")).hasSize(2);
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(restarts).hasSize(2);
        assertThat(restarts.get(1).target()).isNotEqualTo(restarts.get(0).target());
        assertThat(f.alerts("IN_DOUBT")).isEmpty();
    }

    /** h1 silent while its BMC reads on: no proof it is down, so it must be fenced first. */
    private static EngineFixture externalHang() {
        return external().power(1, "h1", "on");
    }

    @Test
    void aRejectedFenceIsNoSuccessAndIsTold() {
        EngineFixture f = externalHang();
        f.result(33, "inc-c1-0001-0001", "REJECTED", "rejected: stale: signed at ...");
        f.run();
        assertThat(f.commands).extracting(CommandOut::action).startsWith("FENCE_HOST");
        // the fence never succeeded: the VM stays where it is, and the fence is tried again
        assertThat(f.commands("RESTART_VM")).isEmpty();
        assertThat(f.commands("MAP_DISKS")).isEmpty();
        assertThat(f.commands("FENCE_HOST")).hasSizeGreaterThan(1);
        assertThat(f.alerts("COMMAND_REJECTED"))
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.host()).isEqualTo("h1");
                            assertThat(a.detail()).contains("FENCE_HOST", "stale");
                        });
    }

    @Test
    void aSucceededFenceMovesTheVmsAndAStatusTheEngineDoesNotKnowIsNoSuccess() {
        EngineFixture ok = externalHang();
        ok.result(33, "inc-c1-0001-0001", "SUCCEEDED").run();
        // the control: a success moves the VMs (maps, retried here with no connector to answer)
        assertThat(ok.commands("MAP_DISKS")).isNotEmpty();

        EngineFixture unknown = externalHang();
        unknown.result(33, "inc-c1-0001-0001", "DONE_MAYBE").run();
        assertThat(unknown.commands("MAP_DISKS")).isEmpty();
        assertThat(unknown.commands("RESTART_VM")).isEmpty();
        assertThat(unknown.alerts("COMMAND_REJECTED")).hasSize(1);
    }

    @Test
    void confirmationOfAnUnknownHostIsIgnoredAndTold() {
        EngineFixture f =
                new EngineFixture(
                        new ClusterEngine(
                                "", S, EngineOptions.of(ClusterEngine.Hypervisor.SIMULATED)));
        f.confirm(5, "ghost").run();
        assertThat(f.alerts)
                .singleElement()
                .satisfies(
                        a -> {
                            assertThat(a.kind()).isEqualTo("CONFIRM_IGNORED");
                            assertThat(a.host()).isEqualTo("ghost");
                            assertThat(a.incidentId()).isNull();
                        });
    }

    @Test
    void hostOfAnOutageWhosePowerReadsOffBecomesAHostFailure() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h3", "h4");
        f.beats("h1", 0, 20, 1)
                .beats("h2", 0, 20, 1)
                .power(1, "h1", "on")
                .power(50, "h1", "off")
                .run();
        IncidentOut failure = f.incidents("HOST_FAILURE").get(0);
        assertThat(failure.hosts()).containsExactly("h1");
        assertThat(failure.ts()).isEqualTo(at(50));
        // the outage's line at 50 s no longer names h1
        assertThat(f.incidents("TELEMETRY_OUTAGE"))
                .last()
                .satisfies(o -> assertThat(o.hosts()).containsExactly("h2"));
        assertThat(f.commands("RESTART_VM")).extracting(CommandOut::vm).containsExactly("v1");
    }

    @Test
    void fenceFailingMaxAttemptsTimesGivesUpTheHostsVms() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(1, "h1", "on").fault(0, "FENCE_HOST", 5, null, null).run();
        assertThat(f.commands("FENCE_HOST"))
                .extracting(CommandOut::attempt)
                .containsExactly(1, 2, 3);
        assertThat(f.commands("RESTART_VM")).isEmpty();
        assertThat(f.alerts("RETRIES_EXHAUSTED").get(0).vms()).containsExactly("v1");
    }

    @Test
    void powerOnAgainBeforeAFenceMakesRestartsWaitUntilItReadsOff() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        // off when declared at 32 s (no fence, disks mapped at once), on again at 33 s: the restart
        // due at 34 s waits until the power reads off again at 60 s
        f.beats("h1", 0, 20, 1)
                .power(21, "h1", "off")
                .power(33, "h1", "on")
                .power(60, "h1", "off")
                .run();
        assertThat(f.commands("FENCE_HOST")).isEmpty();
        assertThat(f.commands("MAP_DISKS").get(0).ts()).isEqualTo(at(32));
        assertThat(f.commands("RESTART_VM").get(0).ts()).isEqualTo(at(60));
    }

    @Test
    void removedHostLeavesItsIncidentAndIsNeverATarget() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(1, "h1", "on");
        f.events.add(new io.vmres.engine.event.HostRemoved(at(33), 9_999, "h1"));
        f.run();
        // fenced at 32 s, removed at 33 s: the fence's answer changes nothing, no restart, closed
        assertThat(f.commands).extracting(CommandOut::action).containsExactly("FENCE_HOST");
        assertThat(f.incidents).extracting(IncidentOut::state).endsWith("CLOSED");
    }

    @Test
    void failedHostThatComesBackClosesItsIncident() {
        EngineFixture f = fleet(S, 4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1)
                .beats("h1", 120, 300, 1)
                .power(21, "h1", "off")
                .power(119, "h1", "on")
                .run();
        assertThat(f.incidents)
                .extracting(IncidentOut::state)
                .containsExactly("OPEN", "RECOVERING", "RECOVERED", "CLOSED");
        assertThat(f.incidents.get(3).ts()).isEqualTo(at(120));
    }

    @Test
    void drainEndsWhenItsHostFailsAndTheFailureRestartsWhatIsLeft() {
        EngineFixture f = fleet(limits(1, 256, 3), 2);
        for (int i = 1; i <= 4; i++) {
            f.vm("v" + i, "h1", 1000 - i, null, List.of());
        }
        f.beats("h2", 0, 300, 1)
                .beats("h1", 0, 40, 1)
                .power(41, "h1", "off")
                .health(10, "h1", "pfa", 1)
                .run();
        IncidentOut closed =
                f.incidents("PREDICTED_FAILURE").stream()
                        .filter(i -> i.state().equals("CLOSED"))
                        .findFirst()
                        .orElseThrow();
        assertThat(closed.ts()).isEqualTo(at(52));
        // one migration at a time: v1 (10-30 s), v2 (30-50 s), v3 under way at 52 s is answered
        // source failed and restarted instead, with v4 that the drain never reached
        assertThat(f.commands("LIVE_MIGRATE_VM"))
                .extracting(CommandOut::vm)
                .containsExactly("v1", "v2", "v3");
        assertThat(f.results).anySatisfy(r -> assertThat(r.detail()).isEqualTo("source failed"));
        assertThat(f.commands("RESTART_VM"))
                .extracting(CommandOut::vm)
                .containsExactlyInAnyOrder("v3", "v4");
    }

    @Test
    void dependencyCycleIsGivenUp() {
        EngineFixture f = fleet(S, 4);
        f.vm("a", "h1", 500, null, List.of("b")).vm("b", "h1", 500, null, List.of("a"));
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(21, "h1", "off").run();
        assertThat(f.commands("RESTART_VM")).isEmpty();
        assertThat(f.alerts("DEPENDENCY_UNMET"))
                .flatExtracting(AlertOut::vms)
                .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void failureJoinsAnOpenIncidentOfItsRackWithinTheTimeout() {
        EngineFixture f = new EngineFixture(S);
        f.host("a1", "ra").host("a2", "ra").host("b1", "rb").host("b2", "rb").host("c1", "rc");
        f.vm("v1", "a1", 500, null, List.of());
        for (String h : List.of("b1", "b2", "c1")) {
            f.beats(h, 0, 300, 1);
        }
        // a2 lost 8 s after a1: a later batch, same rack, within the timeout: one incident
        f.beats("a1", 0, 20, 1)
                .beats("a2", 0, 28, 1)
                .power(1, "a1", "on")
                .power(1, "a2", "on")
                .run();
        List<IncidentOut> lines = f.incidents("HOST_FAILURE");
        assertThat(lines).extracting(IncidentOut::incidentId).containsOnly("inc-c1-0001");
        assertThat(lines.get(lines.size() - 1).hosts()).containsExactly("a1", "a2");
        assertThat(f.commands("FENCE_HOST"))
                .extracting(CommandOut::host)
                .containsExactly("a1", "a2");
    }
}
