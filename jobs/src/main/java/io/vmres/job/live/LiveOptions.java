package io.vmres.job.live;

import io.vmres.engine.Settings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How the production job meets Kafka.
 *
 * @param exactlyOnce commands go out in Kafka transactions committed with each checkpoint, so a
 *     crash neither loses nor repeats one (consumers must read committed)
 * @param idleness a partition quiet for this long no longer holds back event time
 * @param groupId the consumer group of the job's source (offsets are in checkpoints; the group only
 *     names the job to the brokers)
 * @param transactionalIdPrefix the prefix of the sink's transactional ids: unique per job on one
 *     Kafka, or two jobs fence each other's transactions
 * @param kafkaProperties Kafka client properties applied to every client of the job (security,
 *     timeouts); what exactly-once needs is set on top of them
 * @param signingKeys the keys file (docs/security.md): commands are signed with its key that signs
 *     commands, and a result is read only if signed by one of its keys that sign results; null:
 *     commands go out unsigned and results are believed unsigned. A path, read where the job's
 *     tasks run (a mounted secret), so that no key is part of the job graph.
 */
public record LiveOptions(
        String bootstrapServers,
        Settings settings,
        boolean exactlyOnce,
        Duration idleness,
        String groupId,
        String transactionalIdPrefix,
        Map<String, String> kafkaProperties,
        String signingKeys)
        implements Serializable {
    private static final long serialVersionUID = 3L;

    public LiveOptions {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
        // a sorted copy: serializable, and the same options give the same job graph
        kafkaProperties = new TreeMap<>(kafkaProperties);
    }

    public static LiveOptions defaults(String bootstrapServers) {
        return new LiveOptions(
                bootstrapServers,
                Settings.DEFAULTS,
                true,
                Duration.ofSeconds(5),
                "vmres-job",
                "vmres-job",
                Map.of(),
                null);
    }

    public LiveOptions withSettings(Settings s) {
        return new LiveOptions(
                bootstrapServers,
                s,
                exactlyOnce,
                idleness,
                groupId,
                transactionalIdPrefix,
                kafkaProperties,
                signingKeys);
    }

    public LiveOptions withExactlyOnce(boolean e) {
        return new LiveOptions(
                bootstrapServers,
                settings,
                e,
                idleness,
                groupId,
                transactionalIdPrefix,
                kafkaProperties,
                signingKeys);
    }

    public LiveOptions withGroupId(String g) {
        return new LiveOptions(
                bootstrapServers,
                settings,
                exactlyOnce,
                idleness,
                g,
                transactionalIdPrefix,
                kafkaProperties,
                signingKeys);
    }

    public LiveOptions withTransactionalIdPrefix(String prefix) {
        return new LiveOptions(
                bootstrapServers,
                settings,
                exactlyOnce,
                idleness,
                groupId,
                prefix,
                kafkaProperties,
                signingKeys);
    }

    public LiveOptions withKafkaProperties(Map<String, String> p) {
        return new LiveOptions(
                bootstrapServers,
                settings,
                exactlyOnce,
                idleness,
                groupId,
                transactionalIdPrefix,
                p,
                signingKeys);
    }

    /** Signs commands and verifies results with the keys file at {@code file} (null: neither). */
    public LiveOptions withSigningKeys(String file) {
        return new LiveOptions(
                bootstrapServers,
                settings,
                exactlyOnce,
                idleness,
                groupId,
                transactionalIdPrefix,
                kafkaProperties,
                file);
    }

    /** The client properties as {@link Properties}, a fresh copy for each client. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }
}
