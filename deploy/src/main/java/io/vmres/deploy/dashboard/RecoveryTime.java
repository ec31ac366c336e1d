package io.vmres.deploy.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.schema.Incident;
import java.io.IOException;

/**
 * The recovery time of an incident, one definition for every reader of the incidents topic: the
 * spec's {@code recoveryS} as the job measured it and wrote it with the incident line ({@code
 * figuresJson}, the same figures as {@code summary.json}): from the failure start to the last
 * successful restart or migration that recovered a VM. A PARTIAL incident's end (its last VM given
 * up) is not part of it.
 */
public final class RecoveryTime {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecoveryTime() {}

    /** Whether the line carries the job's figures (lines of jobs before them do not). */
    public static boolean hasFigures(Incident i) {
        return figures(i) != null;
    }

    /**
     * The line's {@code recoveryS} in seconds; null when the line has no figures, or when the
     * incident recovered no VM (nothing to measure).
     */
    public static Double seconds(Incident i) {
        JsonNode f = figures(i);
        if (f == null) {
            return null;
        }
        JsonNode s = f.get("recoveryS");
        return s != null && s.isNumber() ? s.asDouble() : null;
    }

    private static JsonNode figures(Incident i) {
        if (i.getFiguresJson() == null) {
            return null;
        }
        try {
            JsonNode f = JSON.readTree(i.getFiguresJson());
            return f != null && f.isObject() ? f : null;
        } catch (IOException e) {
            return null; // figures that do not parse: as if the line had none
        }
    }
}
