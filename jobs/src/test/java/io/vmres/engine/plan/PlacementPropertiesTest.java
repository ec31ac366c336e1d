package io.vmres.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random fleets and failures: every round's result is checked against the spec's placement rules by
 * an independent checker ({@link RandomFleet#violation}).
 */
class PlacementPropertiesTest {

    private record Round(
            RandomFleet fleet,
            List<String> failing,
            List<VmMove> moves,
            Exclusions x,
            BalancedPlacer.Result result) {}

    private static Round round(long seed) {
        RandomFleet f = new RandomFleet(seed, 30);
        List<String> failing = f.failure();
        List<VmMove> moves = f.restarts(failing);
        Exclusions x = f.exclusions(failing);
        BalancedPlacer.Result r = new BalancedPlacer().place(f.ledger(), moves, x, true);
        return new Round(f, failing, moves, x, r);
    }

    @Property(tries = 1500)
    void everyPlacementKeepsEveryRuleAndEveryVmIsAccountedFor(@ForAll long seed) {
        Round r = round(seed);
        Map<String, String> placed = r.result().targets();
        Set<String> seen = new HashSet<>(placed.keySet());
        for (String u : r.result().unplaced()) {
            assertThat(seen.add(u)).as("placed and unplaced: %s", u).isTrue();
        }
        Set<String> wanted = new HashSet<>();
        r.moves().forEach(m -> wanted.add(m.vm().id()));
        assertThat(seen).isEqualTo(wanted);
        for (VmMove m : r.moves()) {
            String t = placed.get(m.vm().id());
            if (t != null) {
                assertThat(r.fleet().violation(m, t, placed, r.x(), null))
                        .as("%s -> %s (seed %d)", m.vm().id(), t, seed)
                        .isNull();
            }
        }
    }

    @Property(tries = 1500)
    void sparesFirstAndPriorityRespected(@ForAll long seed) {
        Round r = round(seed);
        RandomFleet f = r.fleet();
        Map<String, String> placed = r.result().targets();
        for (VmMove m : r.moves()) {
            String t = placed.get(m.vm().id());
            if (t != null && !f.hosts.get(t).spare()) {
                // a restart on a non-spare host: no spare could take it
                for (RandomFleet.Host s : f.hosts.values()) {
                    if (s.spare()) {
                        assertThat(f.violation(m, s.id(), placed, r.x(), null))
                                .as(
                                        "%s on %s while spare %s fits (seed %d)",
                                        m.vm().id(), t, s.id(), seed)
                                .isNotNull();
                    }
                }
            }
        }
        List<VmMove> unplaced = new ArrayList<>();
        for (VmMove m : r.moves()) {
            if (!placed.containsKey(m.vm().id())) {
                unplaced.add(m);
            }
        }
        for (VmMove u : unplaced) {
            // nowhere to go now
            for (String h : f.hosts.keySet()) {
                assertThat(f.violation(u, h, placed, r.x(), null))
                        .as("unplaced %s fits %s (seed %d)", u.vm().id(), h, seed)
                        .isNotNull();
            }
            // and no lower-priority VM took its place
            for (VmMove w : r.moves()) {
                String t = placed.get(w.vm().id());
                if (t != null && w.vm().priority() < u.vm().priority()) {
                    assertThat(f.violation(u, t, placed, r.x(), w.vm().id()))
                            .as(
                                    "unplaced %s (%d) would fit %s instead of %s (%d), seed %d",
                                    u.vm().id(),
                                    u.vm().priority(),
                                    t,
                                    w.vm().id(),
                                    w.vm().priority(),
                                    seed)
                            .isNotNull();
                }
            }
        }
    }

    @Property(tries = 500)
    void aRoundWithoutCommitLeavesTheLedgerAsItWas(@ForAll long seed) {
        RandomFleet f = new RandomFleet(seed, 30);
        Ledger l = f.ledger();
        List<String> before = snapshot(l);
        List<String> failing = f.failure();
        BalancedPlacer.Result a =
                new BalancedPlacer().place(l, f.restarts(failing), f.exclusions(failing), false);
        assertThat(snapshot(l)).isEqualTo(before);
        BalancedPlacer.Result b =
                new BalancedPlacer()
                        .place(f.ledger(), f.restarts(failing), f.exclusions(failing), true);
        assertThat(b).as("deterministic").isEqualTo(a);
    }

    private static List<String> snapshot(Ledger l) {
        List<String> out = new ArrayList<>();
        for (PlanHost h : l.hosts()) {
            out.add(
                    h.id()
                            + " "
                            + Math.round(h.usedCpu() * 1000)
                            + " "
                            + Math.round(h.usedMem())
                            + " "
                            + h.inbound());
        }
        for (PlanHost h : l.targets()) {
            out.add(h.id());
        }
        return out;
    }
}
