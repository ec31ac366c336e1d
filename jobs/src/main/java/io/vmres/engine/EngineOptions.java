package io.vmres.engine;

import io.vmres.engine.ClusterEngine.Hypervisor;
import io.vmres.engine.event.Prediction;
import java.io.Serializable;
import java.time.Duration;

/**
 * How a {@link ClusterEngine} runs, beside the spec's {@link Settings}. Start from {@link
 * #simulated()} (replay) or {@link #external()} (production) and change what differs:
 *
 * <pre>{@code
 * new ClusterEngine(cluster, settings,
 *     EngineOptions.external().withPredictionsFromInput().retainingEnded(Duration.ofHours(1)));
 * }</pre>
 *
 * @param hypervisor who answers commands: the engine's own simulated hypervisor, or connectors
 * @param predictionsFromInput health samples are judged upstream (the job's health stage) and
 *     arrive as {@link Prediction} events; the engine does not judge them itself
 * @param mode how recoveries are executed; {@link ExecutionMode#SERIAL} is a benchmark's baseline,
 *     never a recording's setting
 * @param endedRetentionMs how long an ended incident is kept after its last line (the live job);
 *     null: for ever (a replay needs every incident's figures at its end)
 * @param idEpoch a word that makes incident and command ids unique across runs of the live job
 *     ({@code inc-CLUSTER-EPOCH-NNNN}): a job started without its state must never reuse the id of
 *     a command an earlier run sent; null in replay, whose ids are {@code inc-CLUSTER-NNNN}
 */
public record EngineOptions(
        Hypervisor hypervisor,
        boolean predictionsFromInput,
        ExecutionMode mode,
        Long endedRetentionMs,
        String idEpoch)
        implements Serializable {

    /** How long the live job keeps an ended incident after its last line, by default. */
    public static final Duration DEFAULT_ENDED_RETENTION = Duration.ofHours(1);

    public EngineOptions {
        if (hypervisor == null || mode == null) {
            throw new IllegalArgumentException("a hypervisor and an execution mode are needed");
        }
        if (idEpoch != null && !idEpoch.matches("[a-z0-9]{1,16}")) {
            throw new IllegalArgumentException("an id epoch is 1 to 16 of a-z, 0-9: " + idEpoch);
        }
        if (endedRetentionMs != null && endedRetentionMs < 0) {
            throw new IllegalArgumentException(
                    "retention must not be negative: " + endedRetentionMs);
        }
    }

    /** Replay: the simulated hypervisor answers, the engine judges health, keeps every incident. */
    public static EngineOptions simulated() {
        return of(Hypervisor.SIMULATED);
    }

    /** Production: connectors answer, the engine judges health, keeps every incident. */
    public static EngineOptions external() {
        return of(Hypervisor.EXTERNAL);
    }

    public static EngineOptions of(Hypervisor hypervisor) {
        return new EngineOptions(hypervisor, false, ExecutionMode.PARALLEL, null, null);
    }

    /** Predictions arrive as input ({@link Prediction}); samples are not judged again. */
    public EngineOptions withPredictionsFromInput() {
        return new EngineOptions(hypervisor, true, mode, endedRetentionMs, idEpoch);
    }

    public EngineOptions withMode(ExecutionMode mode) {
        return new EngineOptions(hypervisor, predictionsFromInput, mode, endedRetentionMs, idEpoch);
    }

    /**
     * Drops, at most once per event-time minute, every incident that has ended and can no longer
     * take part in a decision, once its last line is {@code retention} old (see docs/job.md).
     */
    public EngineOptions retainingEnded(Duration retention) {
        return retainingEnded(retention.toMillis());
    }

    public EngineOptions retainingEnded(long retentionMs) {
        return new EngineOptions(hypervisor, predictionsFromInput, mode, retentionMs, idEpoch);
    }

    /** Incident and command ids carry {@code epoch}: unique across runs of the live job. */
    public EngineOptions withIdEpoch(String epoch) {
        return new EngineOptions(hypervisor, predictionsFromInput, mode, endedRetentionMs, epoch);
    }

    /** What incident ids of {@code cluster} start with after {@code inc-}. */
    public String idStem(String cluster) {
        return idEpoch == null ? cluster : cluster + "-" + idEpoch;
    }
}
