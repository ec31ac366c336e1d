package io.vmres.engine.plan;

import java.util.List;

/** What a {@link Placer} may ask of the fleet while it plans one round. */
public interface PlacementView {
    /** Every host that could be a target, in id order. */
    List<String> hosts();

    /**
     * Every placement rule of the spec holds for the request on the target, counting reservations.
     */
    boolean fits(PlacementRequest request, String target);

    boolean spare(String target);

    /** The target's free share (0..1) of its scarcer resource, counting reservations. */
    double room(String target);

    /** Holds the request's cpu and memory on the target for the rest of the round and after. */
    void reserve(PlacementRequest request, String target);
}
