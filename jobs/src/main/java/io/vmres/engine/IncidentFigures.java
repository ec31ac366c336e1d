package io.vmres.engine;

import java.io.Serializable;
import java.util.List;

/**
 * What {@code summary.json} tells of one incident, as its engine measured it. Instants are epoch
 * milliseconds, {@code null} where there is nothing to measure.
 *
 * @param hosts every host the incident ever named, in the order first named
 * @param failureStartTs the last heartbeat of the incident's first-named hosts (the earliest of
 *     them; the last mgmt heartbeat for an isolation), or the opening for drains
 * @param lastRecoveryTs the last successful restart or migration result that recovered a VM
 */
public record IncidentFigures(
        String incidentId,
        String kind,
        List<String> hosts,
        String state,
        long openedTs,
        Long failureStartTs,
        Long firstCommandTs,
        Long lastCommandTs,
        Long lastRecoveryTs,
        int vmsRecovered,
        int vmsUnplaced,
        int vmsFailed)
        implements Serializable {}
