package io.vmres.engine.plan;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** Chooses targets for the VMs of one planning round; a dedicated planner may replace it. */
public interface Placer extends Serializable {
    /**
     * Places the requests (all rules checked through the view, each placement reserved in it).
     *
     * @return vm -> target for every request placed; a request absent from it is unplaced
     */
    Map<String, String> place(List<PlacementRequest> requests, PlacementView view);
}
