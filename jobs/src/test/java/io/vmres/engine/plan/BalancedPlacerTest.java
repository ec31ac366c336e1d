package io.vmres.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One example per placement rule, and the round-wide balance. */
class BalancedPlacerTest {
    private final Ledger ledger = new Ledger();
    private final List<VmMove> moves = new ArrayList<>();

    private BalancedPlacerTest host(String id, double cpu) {
        return host(id, cpu, "r-" + id, false);
    }

    private BalancedPlacerTest host(String id, double cpu, String rack, boolean spare) {
        ledger.putHost(id, "c1", cpu, cpu * 1024, rack, "p-" + rack, "kvm", Set.of("sd1"), spare);
        return this;
    }

    private static PlanVm vm(String id, String host, double cpu, int prio) {
        return new PlanVm(id, host, cpu, cpu * 1024, prio, true, null, null, List.of());
    }

    private BalancedPlacerTest failing(PlanVm v) {
        ledger.putVm(v);
        moves.add(VmMove.restart(v, "c1", "kvm"));
        return this;
    }

    private BalancedPlacer.Result place() {
        return place(Exclusions.NONE);
    }

    private BalancedPlacer.Result place(Exclusions x) {
        return new BalancedPlacer().place(ledger, moves, x, true);
    }

    @Test
    void cpuAndMemoryCapacityAreNeverOvercommitted() {
        host("src", 64).host("small", 4).host("big", 32);
        failing(vm("v1", "src", 8, 500));
        failing(vm("huge", "src", 40, 100));
        // memory alone: 2 cores but 12 GiB does not fit 4 GiB of "small"
        failing(new PlanVm("v2", "src", 2, 12 * 1024, 400, true, null, null, List.of()));
        BalancedPlacer.Result r = place();
        assertThat(r.targets()).containsEntry("v1", "big").containsEntry("v2", "big");
        assertThat(r.unplaced()).containsExactly("huge");
        assertThat(ledger.host("big").usedCpu()).isEqualTo(10);
        assertThat(ledger.host("big").usedMem()).isEqualTo(20 * 1024);
    }

    @Test
    void noTwoVmsOfAnAntiAffinityGroupShareAHost() {
        host("src", 64).host("a", 16).host("b", 16);
        ledger.putVm(new PlanVm("there", "a", 1, 1024, 500, true, "g", null, List.of()));
        failing(new PlanVm("v1", "src", 1, 1024, 500, true, "g", null, List.of()));
        failing(new PlanVm("v2", "src", 1, 1024, 500, true, "g", null, List.of()));
        BalancedPlacer.Result r = place();
        assertThat(r.targets()).containsOnlyKeys("v1");
        assertThat(r.targets().get("v1")).isEqualTo("b");
        assertThat(r.unplaced()).containsExactly("v2");
    }

    @Test
    void sameClusterHypervisorAndStorageDomain() {
        host("src", 64);
        ledger.putHost("other", "c2", 64, 65536, "r9", "p9", "kvm", Set.of("sd1"), false);
        ledger.putHost("esx", "c1", 64, 65536, "r8", "p8", "esx", Set.of("sd1"), false);
        ledger.putHost("nosd", "c1", 64, 65536, "r7", "p7", "kvm", Set.of("sd2"), false);
        ledger.putHost("ok", "c1", 8, 8192, "r6", "p6", "kvm", Set.of("sd1"), false);
        failing(new PlanVm("v1", "src", 1, 1024, 500, true, null, "sd1", List.of()));
        assertThat(place().targets()).containsEntry("v1", "ok");
    }

    @Test
    void sparesTakeRestartsFirstAndNeverMigrations() {
        host("src", 64).host("roomy", 64).host("spare", 4, "rs", true);
        PlanVm a = vm("a", "src", 2, 500);
        PlanVm b = vm("b", "src", 2, 400);
        PlanVm c = vm("c", "src", 2, 300);
        ledger.putVm(a);
        ledger.putVm(b);
        ledger.putVm(c);
        moves.add(VmMove.restart(a, "c1", "kvm"));
        moves.add(VmMove.restart(b, "c1", "kvm"));
        moves.add(new VmMove(c, "src", "c1", "kvm", false, Set.of()));
        BalancedPlacer.Result r = place();
        assertThat(r.targets())
                .containsEntry("a", "spare")
                .containsEntry("b", "spare")
                .containsEntry("c", "roomy");
    }

    @Test
    void neverIntoAClosedHostNorAFailedRackOrPowerDomain() {
        host("src", 64).host("draining", 64).host("inRack", 64, "r1", false).host("ok", 4);
        ledger.setState("draining", true, false);
        ledger.putHost("inPd", "c1", 64, 65536, "r2", "p-r1", "kvm", Set.of("sd1"), false);
        failing(vm("v1", "src", 1, 500));
        failing(vm("v2", "src", 1, 500));
        BalancedPlacer.Result r =
                place(new Exclusions(Set.of("src"), Set.of("r1"), Set.of("p-r1")));
        assertThat(r.targets()).containsEntry("v1", "ok").containsEntry("v2", "ok");
    }

    @Test
    void theLowestPrioritiesStayUnplacedAndAreReported() {
        host("src", 64).host("t", 4);
        failing(vm("low", "src", 2, 100));
        failing(vm("high", "src", 2, 900));
        failing(vm("mid", "src", 2, 500));
        BalancedPlacer.Result r = place();
        assertThat(r.targets()).containsOnlyKeys("high", "mid");
        assertThat(r.unplaced()).containsExactly("low");
    }

    @Test
    void aDependencyIsPlacedBeforeTheVmsThatDependOnIt() {
        host("src", 64).host("t", 4);
        failing(new PlanVm("app", "src", 2, 2048, 900, true, null, null, List.of("db")));
        failing(vm("db", "src", 2, 100));
        failing(vm("other", "src", 2, 500));
        BalancedPlacer.Result r = place();
        // db rises to app's 900: app and db are placed, "other" (500) is not
        assertThat(r.targets()).containsOnlyKeys("app", "db");
        assertThat(r.unplaced()).containsExactly("other");
    }

    @Test
    void aRoundSpreadsOverTargetsCountingEveryFailedHost() {
        host("h1", 64).host("h2", 64).host("t1", 64).host("t2", 64).host("t3", 64).host("t4", 64);
        failing(vm("a1", "h1", 1, 500)).failing(vm("a2", "h1", 1, 500));
        failing(vm("b1", "h2", 1, 500)).failing(vm("b2", "h2", 1, 500));
        BalancedPlacer.Result r = place(new Exclusions(Set.of("h1", "h2"), Set.of(), Set.of()));
        assertThat(Set.copyOf(r.targets().values()))
                .containsExactlyInAnyOrder("t1", "t2", "t3", "t4");
        assertThat(r.maxPerTarget()).isEqualTo(1);
    }

    @Test
    void vmsInFlightToATargetCountInItsLoad() {
        host("src", 64).host("busy", 64).host("calm", 32);
        ledger.reserve("busy", vm("earlier", "x", 1, 500));
        failing(vm("v1", "src", 1, 500));
        // busy has more room but one VM already bound to it
        assertThat(place().targets()).containsEntry("v1", "calm");
    }

    @Test
    void tiesGoToTheLowestHostIdEveryTime() {
        host("src", 64).host("b", 16).host("a", 16).host("c", 16);
        failing(vm("v1", "src", 1, 500));
        assertThat(place().targets()).containsEntry("v1", "a");
    }

    @Test
    void chainsOfMovesUnloadTheMostLoadedTarget() {
        // x needs sd2 (only on t1); the greedy put y (any domain) on t1 first, by room
        ledger.putHost("src", "c1", 64, 65536, "r0", "p0", "kvm", Set.of("sd1", "sd2"), false);
        ledger.putHost("t1", "c1", 64, 65536, "r1", "p1", "kvm", Set.of("sd1", "sd2"), false);
        ledger.putHost("t2", "c1", 32, 65536, "r2", "p2", "kvm", Set.of("sd1"), false);
        PlanVm y = new PlanVm("y", "src", 1, 1024, 900, true, null, "sd1", List.of());
        PlanVm x = new PlanVm("x", "src", 1, 1024, 100, true, null, "sd2", List.of());
        failing(y).failing(x);
        BalancedPlacer.Result r = place();
        assertThat(r.targets()).containsEntry("x", "t1").containsEntry("y", "t2");
        assertThat(r.maxPerTarget()).isEqualTo(1);
    }
}
