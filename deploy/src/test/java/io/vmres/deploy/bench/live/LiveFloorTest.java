package io.vmres.deploy.bench.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.Ledger;
import io.vmres.engine.Settings;
import io.vmres.schema.Action;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The floor of a live recovery from the latencies the fleet drew. */
class LiveFloorTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private static Ledger.Entry call(
            Action a, String target, String vm, List<String> vms, double from, double to) {
        return call(a, "h1", target, vm, vms, from, to, Outcome.Status.SUCCEEDED);
    }

    private static Ledger.Entry call(
            Action a,
            String host,
            String target,
            String vm,
            List<String> vms,
            double from,
            double to,
            Outcome.Status status) {
        return new Ledger.Entry(
                a.name() + "-" + target + "-" + vm,
                a,
                host,
                target,
                vm,
                vms,
                status,
                "ok",
                T0.plusMillis((long) (from * 1000)),
                T0.plusMillis((long) (to * 1000)));
    }

    @Test
    void theLongestMapAndBootChainIsTheFloorWhenTheLimitsLeaveRoom() {
        List<Ledger.Entry> ledger =
                List.of(
                        call(Action.MAP_DISKS, "t1", null, List.of("a", "b"), 15, 16),
                        call(Action.MAP_DISKS, "t2", null, List.of("c"), 15, 17.5),
                        call(Action.RESTART_VM, "t1", "a", null, 17, 21),
                        call(Action.RESTART_VM, "t1", "b", null, 17, 23),
                        call(Action.RESTART_VM, "t2", "c", null, 18, 21),
                        // a failed boot and a call for another host count for nothing
                        call(
                                Action.RESTART_VM,
                                "h1",
                                "t2",
                                "b",
                                null,
                                17,
                                40,
                                Outcome.Status.FAILED),
                        call(
                                Action.RESTART_VM,
                                "h9",
                                "t2",
                                "z",
                                null,
                                17,
                                60,
                                Outcome.Status.SUCCEEDED));
        LiveFloor f = LiveFloor.of(Settings.DEFAULTS, List.of("h1"), Set.of("a", "b", "c"), ledger);
        assertThat(f.detection()).isEqualTo(12.0);
        assertThat(f.fence()).isZero();
        // b: its map (1 s) then its boot (6 s); c: 2.5 s + 3 s
        assertThat(f.maps()).isCloseTo(7.0, within(1e-9));
        assertThat(f.total()).isCloseTo(19.0, within(1e-9));
    }

    @Test
    void aTargetBootingMoreThanItsLimitPacksItsBootsAndAFenceComesFirst() {
        Settings one =
                new Settings(
                        10_000,
                        2_000,
                        0.5,
                        1,
                        256,
                        300_000,
                        3,
                        86_400_000,
                        100,
                        90,
                        3,
                        604_800_000,
                        8,
                        100,
                        1_800_000,
                        1_000);
        List<Ledger.Entry> ledger =
                List.of(
                        call(Action.FENCE_HOST, null, null, List.of(), 12, 15),
                        call(Action.MAP_DISKS, "t1", null, List.of("a", "b"), 15, 16),
                        call(Action.RESTART_VM, "t1", "a", null, 16, 20),
                        call(Action.RESTART_VM, "t1", "b", null, 20, 24));
        LiveFloor f = LiveFloor.of(one, List.of("h1"), Set.of("a", "b"), ledger);
        assertThat(f.fence()).isEqualTo(3.0);
        // one boot at a time on t1: 1 s of map, then 4 s + 4 s
        assertThat(f.maps()).isCloseTo(9.0, within(1e-9));
    }

    @Test
    void mapsHoldInFlightSlotsToo() {
        Settings two = limits(8, 2);
        // four VMs on four targets: each map 1 s, each boot 1 s; two commands at once in all
        List<Ledger.Entry> ledger = new java.util.ArrayList<>();
        for (String vm : List.of("a", "b", "c", "d")) {
            ledger.add(call(Action.MAP_DISKS, "t-" + vm, null, List.of(vm), 12, 13));
            ledger.add(call(Action.RESTART_VM, "t-" + vm, vm, null, 13, 14));
        }
        LiveFloor f = LiveFloor.of(two, List.of("h1"), Set.of("a", "b", "c", "d"), ledger);
        // boots alone would pack into 1 + 4 / 2 = 3 s; with the maps 8 s of calls on 2 slots
        assertThat(f.maps()).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void aHostThatBeatLastIsDetectedThatMuchLater() {
        List<Ledger.Entry> ledger =
                List.of(
                        call(Action.MAP_DISKS, "h1", "t1", null, List.of("a"), 12, 13, OK),
                        call(Action.RESTART_VM, "h1", "t1", "a", null, 13, 17, OK),
                        call(Action.MAP_DISKS, "h2", "t2", null, List.of("b"), 12.8, 13.8, OK),
                        call(Action.RESTART_VM, "h2", "t2", "b", null, 13.8, 17.8, OK));
        LiveFloor f =
                LiveFloor.of(
                        Settings.DEFAULTS,
                        java.util.Map.of("h1", 0.0, "h2", 0.8),
                        Set.of("a", "b"),
                        ledger);
        // h2's last beat came 0.8 s after h1's: its VM cannot start before that much later
        assertThat(f.maps()).isCloseTo(5.8, within(1e-9));
        assertThat(
                        LiveFloor.of(
                                        Settings.DEFAULTS,
                                        List.of("h1", "h2"),
                                        Set.of("a", "b"),
                                        ledger)
                                .maps())
                .isCloseTo(5.0, within(1e-9));
    }

    @Test
    void withoutHopsTheJobsOrderIsTheFloorWhenTheSlotsNeverRunOut() {
        List<Ledger.Entry> ledger =
                List.of(
                        call(Action.MAP_DISKS, "t1", null, List.of("a", "b"), 15, 16),
                        call(Action.RESTART_VM, "t1", "a", null, 17, 21),
                        call(Action.RESTART_VM, "t1", "b", null, 17.5, 19.5));
        LiveFloor f = LiveFloor.of(Settings.DEFAULTS, List.of("h1"), Set.of("a", "b"), ledger);
        NoHopSchedule n =
                NoHopSchedule.of(
                        Settings.DEFAULTS,
                        f,
                        java.util.Map.of("h1", 0.0),
                        Set.of("a", "b"),
                        ledger);
        // the 1 s map, then both boots at once: the hops (1 s and 1.5 s) are gone
        assertThat(n.maps()).isCloseTo(5.0, within(1e-9));
        assertThat(n.total()).isCloseTo(f.total(), within(1e-9));
    }

    @Test
    void withoutHopsTheJobsOrderMayStillLeaveALongBootForLast() {
        Settings two = limits(8, 2);
        // three boots on three targets, two at a time, started short ones first: the 4 s boot
        // waits for a slot; knowing the durations, it would have gone first (the floor: 4 s)
        List<Ledger.Entry> ledger =
                List.of(
                        call(Action.RESTART_VM, "t1", "a", null, 12, 13),
                        call(Action.RESTART_VM, "t2", "b", null, 12, 13),
                        call(Action.RESTART_VM, "t3", "c", null, 13.4, 17.4));
        Set<String> vms = Set.of("a", "b", "c");
        LiveFloor f = LiveFloor.of(two, List.of("h1"), vms, ledger);
        NoHopSchedule n = NoHopSchedule.of(two, f, java.util.Map.of("h1", 0.0), vms, ledger);
        assertThat(n.maps()).isCloseTo(5.0, within(1e-9));
        assertThat(f.maps()).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void withoutHopsABootWaitsForItsMapAndItsTargetsSlot() {
        Settings one = limits(1, 256);
        List<Ledger.Entry> ledger =
                List.of(
                        call(Action.MAP_DISKS, "t1", null, List.of("a", "b"), 12, 14),
                        call(Action.MAP_DISKS, "t2", null, List.of("c"), 12, 13),
                        call(Action.RESTART_VM, "t2", "c", null, 13.3, 16.3),
                        call(Action.RESTART_VM, "t1", "a", null, 14.2, 15.2),
                        call(Action.RESTART_VM, "t1", "b", null, 15.4, 16.4),
                        // a failed boot holds nothing here: only what succeeded is scheduled
                        call(
                                Action.RESTART_VM,
                                "h1",
                                "t1",
                                "b",
                                null,
                                14.2,
                                20,
                                Outcome.Status.FAILED));
        Set<String> vms = Set.of("a", "b", "c");
        NoHopSchedule n =
                NoHopSchedule.of(
                        one,
                        LiveFloor.of(one, List.of("h1"), vms, ledger),
                        java.util.Map.of("h1", 0.0),
                        vms,
                        ledger);
        // t1: map 0-2, a 2-3, b 3-4; t2: map 0-1, c 1-4
        assertThat(n.maps()).isCloseTo(4.0, within(1e-9));
        assertThat(n.detection()).isEqualTo(12.0);
    }

    private static final Outcome.Status OK = Outcome.Status.SUCCEEDED;

    private static Settings limits(int perTarget, int perCluster) {
        Settings d = Settings.DEFAULTS;
        return new Settings(
                d.heartbeatTimeoutMs(),
                d.outOfOrdernessMs(),
                d.massSilenceFraction(),
                perTarget,
                perCluster,
                d.commandTimeoutMs(),
                d.maxAttempts(),
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
}
