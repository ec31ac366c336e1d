package io.vmres.job.live;

import io.vmres.engine.Settings;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the production job meets Kafka.
 *
 * @param exactlyOnce commands go out in Kafka transactions committed with each checkpoint, so a
 *     crash neither loses nor repeats one (consumers must read committed)
 * @param idleness a partition quiet for this long no longer holds back event time
 */
public record LiveOptions(
        String bootstrapServers,
        Settings settings,
        boolean exactlyOnce,
        Duration idleness,
        String groupId,
        String transactionalIdPrefix)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public static LiveOptions defaults(String bootstrapServers) {
        return new LiveOptions(
                bootstrapServers,
                Settings.DEFAULTS,
                true,
                Duration.ofSeconds(5),
                "vmres-job",
                "vmres-job");
    }

    public LiveOptions withSettings(Settings s) {
        return new LiveOptions(
                bootstrapServers, s, exactlyOnce, idleness, groupId, transactionalIdPrefix);
    }

    public LiveOptions withExactlyOnce(boolean e) {
        return new LiveOptions(
                bootstrapServers, settings, e, idleness, groupId, transactionalIdPrefix);
    }
}
