package io.vmres.engine;

import static io.vmres.engine.EngineFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.ResultOut;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Execution of recoveries by one cluster engine: waves, limits, retries, order, serial mode. */
class ExecutionTest {
    private static final Settings S = Settings.DEFAULTS;

    /** Hosts h1..hn in their own racks. */
    private static EngineFixture fleet(EngineFixture f, int n) {
        for (int i = 1; i <= n; i++) {
            f.host("h" + i, "r" + i);
        }
        return f;
    }

    private static EngineFixture fleet(Settings s, int n) {
        return fleet(new EngineFixture(s), n);
    }

    private static void vms(EngineFixture f, String host, int n) {
        for (int i = 1; i <= n; i++) {
            f.vm("v" + i, host, 500, null, List.of());
        }
    }

    /** h1 beats until 20 s and reads power off at 21 s: declared failed at 32 s, known down. */
    private static EngineFixture h1Dies(EngineFixture f, String... others) {
        for (String h : others) {
            f.beats(h, 0, 400, 1);
        }
        return f.beats("h1", 0, 20, 1).power(21, "h1", "off");
    }

    /** The most commands in flight at once, per key of a command (issue to result). */
    private static Map<String, Integer> maxInFlight(
            EngineFixture f, Function<CommandOut, String> key) {
        Map<String, Long> answered = new HashMap<>();
        for (ResultOut r : f.results) {
            answered.put(r.commandId(), r.ts());
        }
        TreeMap<String, Integer> max = new TreeMap<>();
        for (CommandOut c : f.commands) {
            int n = 0;
            for (CommandOut o : f.commands) {
                // a result frees its slot before a command issued at the same instant
                if (key.apply(o).equals(key.apply(c))
                        && o.ts() <= c.ts()
                        && answered.get(o.commandId()) > c.ts()) {
                    n++;
                }
            }
            max.merge(key.apply(c), n, Math::max);
        }
        return max;
    }

    @Test
    void restartsOfATargetStartAsSoonAsItsOwnMapSucceeded() {
        EngineFixture f = fleet(S, 4);
        vms(f, "h1", 3);
        // the first map to h3 fails: retried in place, its restarts wait for it, the others do not
        h1Dies(f, "h2", "h3", "h4").fault(0, "MAP_DISKS", 1, "h3", null).run();
        List<CommandOut> maps = f.commands("MAP_DISKS");
        assertThat(maps).extracting(CommandOut::ts).first().isEqualTo(at(32));
        assertThat(maps)
                .filteredOn(m -> m.target().equals("h3"))
                .extracting(CommandOut::attempt, CommandOut::ts)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, at(32)),
                        org.assertj.core.groups.Tuple.tuple(2, at(34)));
        for (CommandOut r : f.commands("RESTART_VM")) {
            assertThat(r.ts()).as(r.target()).isEqualTo(r.target().equals("h3") ? at(36) : at(34));
        }
        assertThat(f.commands("RESTART_VM")).hasSize(3);
    }

    @Test
    void aRetriedRestartMapsItsDisksOnANewTargetFirst() {
        EngineFixture f = fleet(S, 4);
        f.vm("v1", "h1", 500, null, List.of());
        h1Dies(f, "h2", "h3", "h4").fault(0, "RESTART_VM", 1, null, "v1").run();
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(restarts).extracting(CommandOut::attempt).containsExactly(1, 2);
        assertThat(restarts.get(1).target()).isNotEqualTo(restarts.get(0).target());
        // the second target gets its own map (attempt 1: another target) before the retry
        CommandOut secondMap = f.commands("MAP_DISKS").get(1);
        assertThat(secondMap.target()).isEqualTo(restarts.get(1).target());
        assertThat(secondMap.attempt()).isEqualTo(1);
        assertThat(restarts.get(1).ts()).isEqualTo(secondMap.ts() + 2_000);
        assertThat(f.incidents.get(f.incidents.size() - 1).state()).isEqualTo("RECOVERED");
    }

    @Test
    void clusterLimitCountsMapsAndRestartsAlike() {
        EngineFixture f = fleet(ClusterEngineTest.limits(8, 3, 3), 7);
        vms(f, "h1", 6);
        h1Dies(f, "h2", "h3", "h4", "h5", "h6", "h7").run();
        assertThat(f.commands("RESTART_VM")).hasSize(6);
        assertThat(maxInFlight(f, c -> "cluster").get("cluster")).isEqualTo(3);
    }

    @Test
    void targetLimitHoldsPerTarget() {
        EngineFixture f = fleet(ClusterEngineTest.limits(2, 256, 3), 3);
        vms(f, "h1", 6);
        h1Dies(f, "h2", "h3").run();
        assertThat(f.commands("RESTART_VM")).hasSize(6);
        assertThat(maxInFlight(f, CommandOut::target).values()).containsOnly(2);
    }

    @Test
    void serialModeRunsOneCommandAtATimeAndMapsEachVmAlone() {
        EngineFixture f =
                fleet(
                        new EngineFixture(
                                new ClusterEngine(
                                        "c1",
                                        S,
                                        EngineOptions.simulated().withMode(ExecutionMode.SERIAL))),
                        4);
        vms(f, "h1", 3);
        // power reads on: fenced first
        for (String h : List.of("h2", "h3", "h4")) {
            f.beats(h, 0, 400, 1);
        }
        f.beats("h1", 0, 20, 1).power(1, "h1", "on").run();
        assertThat(f.commands)
                .extracting(CommandOut::action)
                .containsExactly(
                        "FENCE_HOST",
                        "MAP_DISKS",
                        "RESTART_VM",
                        "MAP_DISKS",
                        "RESTART_VM",
                        "MAP_DISKS",
                        "RESTART_VM");
        assertThat(maxInFlight(f, c -> "cluster").get("cluster")).isEqualTo(1);
        // each command goes at the answer of the one before: 5 s fence, 2 s maps, 30 s restarts
        List<Long> issued = new ArrayList<>();
        f.commands.forEach(c -> issued.add(c.ts()));
        assertThat(issued)
                .containsExactly(at(32), at(37), at(39), at(69), at(71), at(101), at(103));
        assertThat(f.commands("MAP_DISKS")).allSatisfy(m -> assertThat(m.vms()).hasSize(1));
        assertThat(f.incidents.get(f.incidents.size() - 1).state()).isEqualTo("RECOVERED");
    }

    @Test
    void drainWithTheNearerDeadlineMovesFirstWhateverThePriorities() {
        EngineFixture f = fleet(ClusterEngineTest.limits(1, 256, 3), 3);
        f.vm("low", "h1", 100, null, List.of()).vm("high", "h2", 900, null, List.of());
        for (String h : List.of("h1", "h2", "h3")) {
            f.beats(h, 0, 400, 1);
        }
        // both drain to h3, one move at a time: h1's deadline (70 s) comes first
        f.maintenance(10, "h2", 1800).maintenance(10, "h1", 70).run();
        assertThat(f.commands("LIVE_MIGRATE_VM"))
                .extracting(CommandOut::vm, CommandOut::ts)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("low", at(10)),
                        org.assertj.core.groups.Tuple.tuple("high", at(30)));
    }

    @Test
    void drainAtItsLatestStartGoesBeforeRestartsOfHigherPriority() {
        EngineFixture f = fleet(ClusterEngineTest.limits(2, 256, 3), 4);
        for (int i = 0; i < 8; i++) {
            f.vm("down" + i, "h1", 900, null, List.of());
        }
        for (int i = 0; i < 4; i++) {
            f.vm("move" + i, "h2", 100, null, List.of());
        }
        // h1 is declared at 32 s; h2 must be drained by 107 s; only h3 and h4 take VMs
        h1Dies(f, "h2", "h3", "h4").maintenance(32, "h2", 107).run();
        List<CommandOut> moves = f.commands("LIVE_MIGRATE_VM");
        assertThat(moves).hasSize(4);
        for (CommandOut m : moves) {
            // answered 20 s after issue, by the deadline
            assertThat(m.ts() + 20_000).isLessThanOrEqualTo(at(107));
        }
        // the last two moves are due from 67 s (107 s less 2 x 20 s): they take the first free
        // slots,
        // at 82 s, ahead of the last two restarts
        assertThat(moves.get(3).ts()).isEqualTo(at(82));
        List<CommandOut> restarts = f.commands("RESTART_VM");
        assertThat(restarts.get(restarts.size() - 1).ts()).isEqualTo(at(94));
    }

    @Test
    void incidentLinesCarryTheFiguresOfTheirInstant() {
        EngineFixture f = fleet(S, 4);
        vms(f, "h1", 3);
        h1Dies(f, "h2", "h3", "h4").run();
        io.vmres.engine.out.IncidentOut opened = f.incidents.get(0);
        assertThat(opened.state()).isEqualTo("OPEN");
        assertThat(opened.figures().failureStartTs()).isEqualTo(at(20));
        assertThat(opened.figures().firstCommandTs()).isNull();
        io.vmres.engine.out.IncidentOut recovered = f.incidents.get(f.incidents.size() - 1);
        assertThat(recovered.state()).isEqualTo("RECOVERED");
        // maps at 32 s, restarts at 34 s, answered at 64 s
        assertThat(recovered.figures().firstCommandTs()).isEqualTo(at(32));
        assertThat(recovered.figures().lastCommandTs()).isEqualTo(at(34));
        assertThat(recovered.figures().lastRecoveryTs()).isEqualTo(at(64));
        assertThat(recovered.figures().vmsRecovered()).isEqualTo(3);
        assertThat(f.engine.figures()).containsExactly(recovered.figures());
    }

    @Test
    void restartGoesBeforeAMigrationThatCanWait() {
        EngineFixture f = fleet(ClusterEngineTest.limits(1, 256, 3), 3);
        f.vm("down", "h1", 100, null, List.of()).vm("drained", "h2", 900, null, List.of());
        // h2's maintenance (deadline in 30 min) and h1's failure come at 32 s; only h3 takes VMs
        h1Dies(f, "h2", "h3").maintenance(32, "h2", 32 + 1800).run();
        CommandOut restart = f.commands("RESTART_VM").get(0);
        CommandOut move = f.commands("LIVE_MIGRATE_VM").get(0);
        assertThat(restart.ts()).isEqualTo(at(34)); // after its map on h3
        assertThat(move.ts()).isEqualTo(at(64)); // after the restart's 30 s
    }
}
