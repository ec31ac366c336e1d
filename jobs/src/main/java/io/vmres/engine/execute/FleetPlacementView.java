package io.vmres.engine.execute;

import io.vmres.engine.fleet.FailedDomains;
import io.vmres.engine.fleet.Fleet;
import io.vmres.engine.fleet.HostState;
import io.vmres.engine.plan.PlacementRequest;
import io.vmres.engine.plan.PlacementView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The placement view of one round on a fleet (the engine's rules): the candidates are the hosts
 * registered in this cluster and alive at the round's time; a reservation is held on the target's
 * state that {@code toChange} gives (the fleet's own, or a copy-on-write view's own copy).
 *
 * @param jobs the requests' jobs by "incident|vm"
 * @param hosts the candidates, in the fleet's order
 */
public record FleetPlacementView(
        Fleet fleet,
        Map<String, VmJob> jobs,
        FailedDomains domains,
        long now,
        Function<String, HostState> toChange,
        List<String> hosts)
        implements PlacementView {

    /** The view of a round at {@code now}, its candidates taken from the fleet as it is. */
    public static FleetPlacementView of(
            Fleet fleet,
            Map<String, VmJob> jobs,
            FailedDomains domains,
            long now,
            Function<String, HostState> toChange) {
        List<String> candidates = new ArrayList<>();
        for (HostState hs : fleet.hosts().values()) {
            if (fleet.registeredHere(hs) && fleet.alive(hs, now)) {
                candidates.add(hs.id);
            }
        }
        return new FleetPlacementView(fleet, jobs, domains, now, toChange, candidates);
    }

    @Override
    public boolean fits(PlacementRequest r, String target) {
        return fleet.fits(jobs.get(r.incidentId() + "|" + r.vm()), target, domains, now);
    }

    @Override
    public boolean spare(String target) {
        return fleet.hosts().get(target).record().spare();
    }

    @Override
    public double room(String target) {
        return fleet.room(target);
    }

    @Override
    public void reserve(PlacementRequest r, String target) {
        toChange.apply(target).addIncoming(r.vm());
    }
}
