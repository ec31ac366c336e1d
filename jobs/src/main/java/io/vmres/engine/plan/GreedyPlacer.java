package io.vmres.engine.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Greedy placement: VMs by priority (higher first, then VM id), each to the valid target with the
 * fewest VMs already planned from its incident in this round and the most room, spares first for
 * restarts (spreading, since per-target in-flight limits make a recovery as slow as its most loaded
 * target).
 */
public final class GreedyPlacer implements Placer {
    private static final long serialVersionUID = 1L;

    @Override
    public Map<String, String> place(List<PlacementRequest> requests, PlacementView view) {
        List<PlacementRequest> order = new ArrayList<>(requests);
        order.sort(
                Comparator.comparingInt(PlacementRequest::priority)
                        .reversed()
                        .thenComparing(PlacementRequest::vm));
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Integer> planned = new TreeMap<>(); // incident|target -> VMs planned this round
        List<String> hosts = view.hosts();
        for (PlacementRequest r : order) {
            String best = null;
            int bestLoad = 0;
            double bestRoom = 0;
            boolean bestSpare = false;
            for (String h : hosts) {
                if (!view.fits(r, h)) {
                    continue;
                }
                boolean spare = r.restart() && view.spare(h);
                int load = planned.getOrDefault(r.incidentId() + "|" + h, 0);
                double room = view.room(h);
                if (best == null
                        || (spare && !bestSpare)
                        || (spare == bestSpare
                                && (load < bestLoad
                                        || (load == bestLoad && room > bestRoom + 1e-12)))) {
                    best = h;
                    bestLoad = load;
                    bestRoom = room;
                    bestSpare = spare;
                }
            }
            if (best != null) {
                view.reserve(r, best);
                planned.merge(r.incidentId() + "|" + best, 1, Integer::sum);
                out.put(r.vm(), best);
            }
        }
        return out;
    }
}
