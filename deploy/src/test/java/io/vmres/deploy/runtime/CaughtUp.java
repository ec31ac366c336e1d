package io.vmres.deploy.runtime;

import io.vmres.schema.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * For tests that crash a host: the job must first have read what the fleet wrote while it started
 * (a host whose every heartbeat it read before the host's record was never alive to it, and the
 * spec declares no failure of such a host).
 */
public final class CaughtUp {
    private CaughtUp() {}

    /**
     * Waits until the job's consumer group has committed (with a checkpoint) at least the end
     * offsets every input partition had when asked: the job has read all of it.
     */
    public static void await(String bootstrap, String group) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(
                        Map.of("bootstrap.servers", bootstrap))) {
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec>
                    latest = new java.util.HashMap<>();
            for (var d :
                    admin.describeTopics(Topics.INPUTS)
                            .allTopicNames()
                            .get(30, java.util.concurrent.TimeUnit.SECONDS)
                            .values()) {
                for (var p : d.partitions()) {
                    latest.put(
                            new org.apache.kafka.common.TopicPartition(d.name(), p.partition()),
                            org.apache.kafka.clients.admin.OffsetSpec.latest());
                }
            }
            Map<org.apache.kafka.common.TopicPartition, Long> ends = new java.util.HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get(30, java.util.concurrent.TimeUnit.SECONDS)
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
            Await.await(
                    Duration.ofSeconds(90),
                    () -> {
                        try {
                            var committed =
                                    admin.listConsumerGroupOffsets(group)
                                            .partitionsToOffsetAndMetadata()
                                            .get(30, java.util.concurrent.TimeUnit.SECONDS);
                            boolean all =
                                    ends.entrySet().stream()
                                            .allMatch(
                                                    e -> read(committed, e.getKey(), e.getValue()));
                            return all ? Optional.of(true) : Optional.empty();
                        } catch (Exception e) {
                            return Optional.empty();
                        }
                    });
        }
    }

    private static boolean read(
            Map<org.apache.kafka.common.TopicPartition, ?> committed,
            org.apache.kafka.common.TopicPartition tp,
            long end) {
        Object c = committed.get(tp);
        return end == 0
                || (c instanceof org.apache.kafka.clients.consumer.OffsetAndMetadata o
                        && o.offset() >= end);
    }
}
