package io.vmres.job.live;

import io.vmres.engine.Settings;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * How the production job meets Kafka.
 *
 * @param exactlyOnce commands go out in Kafka transactions committed with each checkpoint, so a
 *     crash neither loses nor repeats one (consumers must read committed)
 * @param idleness a partition that has carried no heartbeat and is quiet for this long no longer
 *     holds back event time (an empty partition of a small fleet); a heartbeat partition quiet this
 *     long is told as stalled ({@code PARTITION_STALLED})
 * @param groupId the consumer group of the job's source (offsets are in checkpoints; the group only
 *     names the job to the brokers)
 * @param transactionalIdPrefix the prefix of the sink's transactional ids: unique per job on one
 *     Kafka, or two jobs fence each other's transactions
 * @param kafkaProperties Kafka client properties applied to every client of the job (security,
 *     timeouts); what exactly-once needs is set on top of them
 * @param heartbeatIdleness how long event time waits for a partition that has carried heartbeats
 *     and gives nothing (its leader hangs, it cannot be read): far above heartbeatTimeout +
 *     outOfOrderness, so that no delay of the input alone makes a host silent
 * @param signingKeys the keys file (docs/security.md): commands are signed with its key that signs
 *     commands, and a result is read only if signed by one of its keys that sign results; null:
 *     commands go out unsigned and results are believed unsigned. A path, read where the job's
 *     tasks run (a mounted secret), so that no key is part of the job graph.
 * @param appendTimeMargin how far the brokers' append time may step back within a partition (a new
 *     leader whose clock is behind) plus how long an appended record may take to become readable
 *     (replication): each partition's watermark trails its greatest append time by maxClockSkew +
 *     this ({@link InputWatermarks}); a partition whose append time steps back further holds event
 *     time until it is past where it was ({@link AppendSteps}); null: event time from the events'
 *     own time alone, each partition trailing its greatest ts by outOfOrderness (and a partition
 *     without heartbeats holding event time until it is quiet for {@code idleness})
 */
public record LiveOptions(
        String bootstrapServers,
        Settings settings,
        boolean exactlyOnce,
        Duration idleness,
        String groupId,
        String transactionalIdPrefix,
        Map<String, String> kafkaProperties,
        Duration heartbeatIdleness,
        String signingKeys,
        Duration appendTimeMargin)
        implements Serializable {
    private static final long serialVersionUID = 5L;

    /** The default of {@code appendTimeMargin}. */
    public static final Duration APPEND_TIME_MARGIN =
            Duration.ofMillis(InputWatermarks.APPEND_TIME_MARGIN_MS);

    /** The default of {@code heartbeatIdleness}. */
    public static final Duration HEARTBEAT_IDLENESS = Duration.ofMinutes(2);

    public LiveOptions {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
        if (appendTimeMargin != null && appendTimeMargin.isNegative()) {
            throw new IllegalArgumentException("appendTimeMargin must not be negative");
        }
        if (heartbeatIdleness.compareTo(idleness) < 0) {
            throw new IllegalArgumentException("heartbeatIdleness must not be below idleness");
        }
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
                HEARTBEAT_IDLENESS,
                null,
                APPEND_TIME_MARGIN);
    }

    public LiveOptions withSettings(Settings s) {
        return with(c -> c.settings = s);
    }

    public LiveOptions withExactlyOnce(boolean e) {
        return with(c -> c.exactlyOnce = e);
    }

    public LiveOptions withGroupId(String g) {
        return with(c -> c.groupId = g);
    }

    public LiveOptions withTransactionalIdPrefix(String prefix) {
        return with(c -> c.transactionalIdPrefix = prefix);
    }

    public LiveOptions withKafkaProperties(Map<String, String> p) {
        return with(c -> c.kafkaProperties = p);
    }

    public LiveOptions withIdleness(Duration quiet, Duration heartbeatQuiet) {
        return with(
                c -> {
                    c.idleness = quiet;
                    c.heartbeatIdleness = heartbeatQuiet;
                });
    }

    /** With {@code margin} as the append time margin of the watermarks. */
    public LiveOptions withAppendTimeMargin(Duration margin) {
        return with(c -> c.appendTimeMargin = margin);
    }

    /** Signs commands and verifies results with the keys file at {@code file} (null: neither). */
    public LiveOptions withSigningKeys(String file) {
        return with(c -> c.signingKeys = file);
    }

    /** These options with what {@code change} sets on a copy of them, checked as any. */
    private LiveOptions with(Consumer<Copy> change) {
        Copy c = new Copy(this);
        change.accept(c);
        return new LiveOptions(
                c.bootstrapServers,
                c.settings,
                c.exactlyOnce,
                c.idleness,
                c.groupId,
                c.transactionalIdPrefix,
                c.kafkaProperties,
                c.heartbeatIdleness,
                c.signingKeys,
                c.appendTimeMargin);
    }

    /** The components of options being changed. */
    private static final class Copy {
        String bootstrapServers;
        Settings settings;
        boolean exactlyOnce;
        Duration idleness;
        String groupId;
        String transactionalIdPrefix;
        Map<String, String> kafkaProperties;
        Duration heartbeatIdleness;
        String signingKeys;
        Duration appendTimeMargin;

        Copy(LiveOptions o) {
            bootstrapServers = o.bootstrapServers;
            settings = o.settings;
            exactlyOnce = o.exactlyOnce;
            idleness = o.idleness;
            groupId = o.groupId;
            transactionalIdPrefix = o.transactionalIdPrefix;
            kafkaProperties = o.kafkaProperties;
            heartbeatIdleness = o.heartbeatIdleness;
            signingKeys = o.signingKeys;
            appendTimeMargin = o.appendTimeMargin;
        }
    }

    /** The client properties as {@link Properties}, a fresh copy for each client. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        return p;
    }
}
