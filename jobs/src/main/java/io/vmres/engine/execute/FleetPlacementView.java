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
 */
public final class FleetPlacementView implements PlacementView {
    private final Fleet fleet;
    private final Map<String, VmJob> jobs;
    private final FailedDomains domains;
    private final long now;
    private final Function<String, HostState> toChange;
    private List<String> candidates;

    /**
     * @param jobs the requests' jobs by "incident|vm"
     * @param toChange the state of a target host to hold a reservation on
     */
    public FleetPlacementView(
            Fleet fleet,
            Map<String, VmJob> jobs,
            FailedDomains domains,
            long now,
            Function<String, HostState> toChange) {
        this.fleet = fleet;
        this.jobs = jobs;
        this.domains = domains;
        this.now = now;
        this.toChange = toChange;
    }

    @Override
    public List<String> hosts() {
        if (candidates == null) {
            candidates = new ArrayList<>();
            for (HostState hs : fleet.hosts().values()) {
                if (fleet.registeredHere(hs) && fleet.alive(hs, now)) {
                    candidates.add(hs.id);
                }
            }
        }
        return candidates;
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
