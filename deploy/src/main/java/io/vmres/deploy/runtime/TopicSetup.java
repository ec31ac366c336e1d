package io.vmres.deploy.runtime;

import io.vmres.schema.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Every vmres topic as it should be on a Kafka of several brokers: the partitions and replication
 * asked for, {@code min.insync.replicas} so that an acknowledged record survives a broker, the
 * broker's append time on the inputs (the job's {@code recvTs}), compaction for the connector's
 * ledger. Creates what is missing, and checks what is there.
 */
public final class TopicSetup {
    private static final long TIMEOUT_S = 30;

    /** One topic as vmres wants it. */
    public record Spec(
            String topic, int partitions, short replication, Map<String, String> configs) {
        public NewTopic newTopic() {
            return new NewTopic(topic, partitions, replication).configs(configs);
        }
    }

    /** What {@link #create} did. */
    public record Created(List<String> created, List<String> existing) {}

    private TopicSetup() {}

    /**
     * Every vmres topic (the job's topics of {@link Topics#ALL} and the connector's ledger) with
     * {@code partitions} partitions and {@code replication} replicas.
     */
    public static List<Spec> wanted(int partitions, int replication) {
        if (partitions < 1 || replication < 1) {
            throw new IllegalArgumentException("partitions and replication must be at least 1");
        }
        // a record acknowledged by all in-sync replicas survives the loss of one broker, yet a
        // broker down does not stop writes: 2 of 3 (1 below 3 replicas)
        String minIsr = Integer.toString(Math.max(1, Math.min(2, replication - 1)));
        List<String> names = new ArrayList<>(Topics.ALL);
        names.add(Topics.CONNECTOR_LEDGER);
        List<Spec> specs = new ArrayList<>();
        for (String t : names) {
            Map<String, String> c = new LinkedHashMap<>();
            c.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minIsr);
            if (isInput(t)) {
                c.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
            }
            if (t.equals(Topics.CONNECTOR_LEDGER)) {
                c.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            specs.add(new Spec(t, partitions, (short) replication, Map.copyOf(c)));
        }
        return List.copyOf(specs);
    }

    /** The topics whose records the job stamps with the broker's append time as {@code recvTs}. */
    public static boolean isInput(String topic) {
        return Topics.INPUTS.contains(topic) || topic.equals(Topics.COMMAND_RESULTS);
    }

    /** Creates every topic of {@code specs} that is missing; leaves existing ones as they are. */
    public static Created create(Admin admin, List<Spec> specs)
            throws InterruptedException, TimeoutException {
        List<String> created = new ArrayList<>();
        List<String> existing = new ArrayList<>();
        var results = admin.createTopics(specs.stream().map(Spec::newTopic).toList()).values();
        for (Spec s : specs) {
            try {
                results.get(s.topic()).get(TIMEOUT_S, TimeUnit.SECONDS);
                created.add(s.topic());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(s.topic());
                } else {
                    throw new IllegalStateException(
                            "cannot create " + s.topic() + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
        }
        return new Created(List.copyOf(created), List.copyOf(existing));
    }

    /**
     * What differs between the topics on the Kafka and {@code specs}: a missing topic, fewer
     * partitions or replicas, a missing setting. Empty when all is well. More partitions or
     * replicas than asked for are fine.
     */
    public static List<String> check(Admin admin, List<Spec> specs)
            throws InterruptedException, TimeoutException, ExecutionException {
        List<String> problems = new ArrayList<>();
        Set<String> present = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
        List<Spec> there = specs.stream().filter(s -> present.contains(s.topic())).toList();
        for (Spec s : specs) {
            if (!present.contains(s.topic())) {
                problems.add(s.topic() + ": missing");
            }
        }
        if (there.isEmpty()) {
            return problems;
        }
        Map<String, TopicDescription> described =
                admin.describeTopics(there.stream().map(Spec::topic).toList())
                        .allTopicNames()
                        .get(TIMEOUT_S, TimeUnit.SECONDS);
        Collection<ConfigResource> resources =
                there.stream()
                        .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.topic()))
                        .toList();
        Map<ConfigResource, Config> configs =
                admin.describeConfigs(resources).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        for (Spec s : there) {
            TopicDescription d = described.get(s.topic());
            int partitions = d.partitions().size();
            if (partitions < s.partitions()) {
                problems.add(
                        s.topic()
                                + ": "
                                + partitions
                                + " partitions, vmres wants "
                                + s.partitions());
            }
            int replicas =
                    d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
            if (replicas < s.replication()) {
                problems.add(
                        s.topic()
                                + ": replication "
                                + replicas
                                + ", vmres wants "
                                + s.replication());
            }
            Config c = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, s.topic()));
            for (var want : s.configs().entrySet()) {
                var entry = c.get(want.getKey());
                String have = entry == null ? null : entry.value();
                boolean ok =
                        want.getKey().equals(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)
                                ? have != null
                                        && Integer.parseInt(have)
                                                >= Integer.parseInt(want.getValue())
                                : want.getValue().equals(have);
                if (!ok) {
                    problems.add(
                            s.topic()
                                    + ": "
                                    + want.getKey()
                                    + "="
                                    + have
                                    + ", vmres wants "
                                    + want.getValue());
                }
            }
        }
        return problems;
    }
}
