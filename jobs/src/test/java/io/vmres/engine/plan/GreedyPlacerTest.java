package io.vmres.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GreedyPlacerTest {

    /** Hosts with a VM-count capacity; spares by name. */
    private static final class Slots implements PlacementView {
        final TreeMap<String, Integer> free = new TreeMap<>();
        final List<String> spares = new ArrayList<>();

        Slots host(String h, int slots) {
            free.put(h, slots);
            return this;
        }

        @Override
        public List<String> hosts() {
            return List.copyOf(free.keySet());
        }

        @Override
        public boolean fits(PlacementRequest r, String target) {
            return free.get(target) > 0 && !(spares.contains(target) && !r.restart());
        }

        @Override
        public boolean spare(String target) {
            return spares.contains(target);
        }

        @Override
        public double room(String target) {
            return free.get(target) / 10.0;
        }

        @Override
        public void reserve(PlacementRequest r, String target) {
            free.merge(target, -1, Integer::sum);
        }
    }

    private static PlacementRequest restart(String vm, int priority) {
        return new PlacementRequest(vm, "inc", "h0", priority, true);
    }

    @Test
    void highestPriorityIsPlacedFirstAndTheLowestStaysUnplaced() {
        Slots view = new Slots().host("a", 1).host("b", 1);
        Map<String, String> got =
                new GreedyPlacer()
                        .place(
                                List.of(
                                        restart("low", 100),
                                        restart("high", 900),
                                        restart("mid", 500)),
                                view);
        assertThat(got).containsOnlyKeys("high", "mid");
    }

    @Test
    void restartsSpreadOverTargetsAndTakeSparesFirst() {
        Slots view = new Slots().host("a", 5).host("b", 5).host("s", 2);
        view.spares.add("s");
        Map<String, String> got =
                new GreedyPlacer()
                        .place(
                                List.of(
                                        restart("v1", 500),
                                        restart("v2", 500),
                                        restart("v3", 500),
                                        restart("v4", 500)),
                                view);
        assertThat(got).containsEntry("v1", "s").containsEntry("v2", "s");
        // then spread: one on each of a and b
        assertThat(List.of(got.get("v3"), got.get("v4"))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void migrationsNeverGoToSpares() {
        Slots view = new Slots().host("s", 5);
        view.spares.add("s");
        Map<String, String> got =
                new GreedyPlacer()
                        .place(List.of(new PlacementRequest("v", "inc", "h0", 500, false)), view);
        assertThat(got).isEmpty();
    }
}
