package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * When a local cluster is whole again after a chaos fault: what still keeps each part from it, or
 * nothing. A process that runs again is not enough: a broker back up but out of the ISR leaves
 * producers of {@code acks=all} one replica short of {@code min.insync.replicas}, and the next
 * fault then stops them. The rules are pure (plain values in, the gap out); the readers below take
 * those values from the brokers and from Flink's REST API.
 */
final class ClusterHealth {
    private static final long ASK_SECONDS = 10;

    private ClusterHealth() {}

    /** A partition as the brokers describe it. */
    record PartitionState(String topic, int partition, int replicas, int isr, boolean leader) {}

    /** A controller of the metadata quorum and when it last had the leader's whole log. */
    record VoterState(int id, OptionalLong lastCaughtUpMs) {}

    /**
     * What keeps Kafka from being whole, or empty: fewer brokers in the cluster than {@code
     * brokers}, a partition without a leader or with fewer in-sync replicas than replicas, fewer
     * controllers than {@code brokers}, or a controller that has not caught up with the leader's
     * log since {@code sinceMs} (the moment the fault was lifted).
     */
    static Optional<String> kafkaGap(
            int brokers,
            int liveBrokers,
            List<PartitionState> partitions,
            List<VoterState> voters,
            long sinceMs) {
        if (liveBrokers < brokers) {
            return Optional.of(liveBrokers + " of " + brokers + " brokers in the cluster");
        }
        List<String> short_ = new ArrayList<>();
        for (PartitionState p : partitions) {
            if (!p.leader() || p.isr() < p.replicas()) {
                short_.add(
                        p.topic()
                                + "-"
                                + p.partition()
                                + (p.leader() ? "" : " (no leader)")
                                + " isr "
                                + p.isr()
                                + "/"
                                + p.replicas());
            }
        }
        if (!short_.isEmpty()) {
            return Optional.of(
                    short_.size()
                            + " partitions under-replicated, "
                            + String.join(", ", short_.subList(0, Math.min(3, short_.size())))
                            + (short_.size() > 3 ? ", ..." : ""));
        }
        if (voters.size() < brokers) {
            return Optional.of(voters.size() + " of " + brokers + " controllers in the quorum");
        }
        for (VoterState v : voters) {
            if (v.lastCaughtUpMs().isEmpty() || v.lastCaughtUpMs().getAsLong() < sinceMs) {
                return Optional.of("controller " + v.id() + " not caught up with the leader");
            }
        }
        return Optional.empty();
    }

    /** {@link #kafkaGap} of the brokers {@code admin} reaches, every topic (internal ones too). */
    static Optional<String> kafkaGap(Admin admin, int brokers, long sinceMs)
            throws InterruptedException {
        try {
            int live = admin.describeCluster().nodes().get(ASK_SECONDS, TimeUnit.SECONDS).size();
            Set<String> topics =
                    admin.listTopics(new ListTopicsOptions().listInternal(true))
                            .names()
                            .get(ASK_SECONDS, TimeUnit.SECONDS);
            Map<String, TopicDescription> described =
                    admin.describeTopics(topics).allTopicNames().get(ASK_SECONDS, TimeUnit.SECONDS);
            List<PartitionState> partitions = new ArrayList<>();
            for (TopicDescription t : described.values()) {
                for (TopicPartitionInfo p : t.partitions()) {
                    partitions.add(
                            new PartitionState(
                                    t.name(),
                                    p.partition(),
                                    p.replicas().size(),
                                    p.isr().size(),
                                    p.leader() != null && !p.leader().isEmpty()));
                }
            }
            partitions.sort(
                    java.util.Comparator.comparing(PartitionState::topic)
                            .thenComparingInt(PartitionState::partition));
            QuorumInfo quorum =
                    admin.describeMetadataQuorum().quorumInfo().get(ASK_SECONDS, TimeUnit.SECONDS);
            List<VoterState> voters = new ArrayList<>();
            for (QuorumInfo.ReplicaState v : quorum.voters()) {
                voters.add(new VoterState(v.replicaId(), v.lastCaughtUpTimestamp()));
            }
            return kafkaGap(brokers, live, partitions, voters, sinceMs);
        } catch (ExecutionException | TimeoutException e) {
            return Optional.of("the brokers do not answer: " + e.getMessage());
        }
    }

    /**
     * What keeps a consumer group from consuming again after its member was killed, or empty: the
     * group not stable, a member still there that was there before ({@code before}: the killed one,
     * gone only once its session expired), or no member with partitions assigned.
     */
    static Optional<String> groupGap(
            Optional<GroupState> state,
            Collection<String> members,
            int assigned,
            Set<String> before) {
        if (state.isEmpty() || state.get() != GroupState.STABLE) {
            return Optional.of("group " + state.map(Enum::name).orElse("unknown"));
        }
        for (String m : members) {
            if (before.contains(m)) {
                return Optional.of("the killed member " + m + " still in the group");
            }
        }
        if (members.isEmpty() || assigned == 0) {
            return Optional.of("no member consuming");
        }
        return Optional.empty();
    }

    /** The member ids of {@code group}, none when it has none or the brokers do not answer. */
    static Set<String> groupMembers(Admin admin, String group) throws InterruptedException {
        Set<String> ids = new java.util.TreeSet<>();
        describe(admin, group).ifPresent(d -> d.members().forEach(m -> ids.add(m.consumerId())));
        return ids;
    }

    /** {@link #groupGap} of {@code group} as the brokers {@code admin} reaches describe it. */
    static Optional<String> groupGap(Admin admin, String group, Set<String> before)
            throws InterruptedException {
        Optional<ConsumerGroupDescription> d = describe(admin, group);
        if (d.isEmpty()) {
            return Optional.of("the brokers do not describe group " + group);
        }
        List<String> members = new ArrayList<>();
        int assigned = 0;
        for (MemberDescription m : d.get().members()) {
            members.add(m.consumerId());
            assigned += m.assignment().topicPartitions().size();
        }
        return groupGap(Optional.ofNullable(d.get().groupState()), members, assigned, before);
    }

    private static Optional<ConsumerGroupDescription> describe(Admin admin, String group)
            throws InterruptedException {
        try {
            return Optional.of(
                    admin.describeConsumerGroups(List.of(group))
                            .describedGroups()
                            .get(group)
                            .get(ASK_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            // the brokers busy or electing: asked again by the caller
            return Optional.empty();
        }
    }

    /**
     * What keeps a Flink job from being whole, or empty: fewer than {@code taskManagers}
     * TaskManagers registered, the TaskManager {@code restarted} (if any) not yet registered from
     * another address than {@code oldPath} (its killed self), the job not RUNNING with every task,
     * or no checkpoint completed that was triggered at or after {@code sinceMs} (every task of the
     * job acknowledged one since the fault).
     */
    static Optional<String> jobGap(
            JsonNode taskManagers,
            int expected,
            Optional<String> restarted,
            Optional<String> oldPath,
            FlinkRest.JobState job,
            JsonNode checkpoints,
            long sinceMs) {
        JsonNode tms = taskManagers.path("taskmanagers");
        if (tms.size() < expected) {
            return Optional.of(tms.size() + " of " + expected + " TaskManagers registered");
        }
        if (restarted.isPresent()) {
            boolean found = false;
            for (JsonNode tm : tms) {
                if (tm.path("id").asText().equals(restarted.get())
                        && !tm.path("path").asText().equals(oldPath.orElse(""))) {
                    found = true;
                }
            }
            if (!found) {
                return Optional.of(restarted.get() + " not registered again");
            }
        }
        if (!job.state().equals("RUNNING") || !job.allTasksRunning()) {
            return Optional.of(
                    "the job " + job.state() + (job.allTasksRunning() ? "" : ", not every task"));
        }
        JsonNode last = checkpoints.path("latest").path("completed");
        if (!last.isObject() || last.path("trigger_timestamp").asLong() < sinceMs) {
            return Optional.of("no checkpoint completed since the fault");
        }
        return Optional.empty();
    }

    /** {@link #jobGap} as Flink's REST API at {@code rest} tells it. */
    static Optional<String> jobGap(
            FlinkRest rest,
            String jobId,
            int expected,
            Optional<String> restarted,
            Optional<String> oldPath,
            long sinceMs)
            throws InterruptedException {
        try {
            return jobGap(
                    rest.get("/taskmanagers"),
                    expected,
                    restarted,
                    oldPath,
                    rest.job(jobId),
                    rest.get("/jobs/" + jobId + "/checkpoints"),
                    sinceMs);
        } catch (IOException e) {
            return Optional.of("Flink does not answer: " + e.getMessage());
        }
    }

    /** The address a TaskManager registered from ({@code path} in {@code /taskmanagers}). */
    static Optional<String> taskManagerPath(FlinkRest rest, String id) throws InterruptedException {
        try {
            for (JsonNode tm : rest.get("/taskmanagers").path("taskmanagers")) {
                if (tm.path("id").asText().equals(id)) {
                    return Optional.of(tm.path("path").asText());
                }
            }
        } catch (IOException e) {
            // Flink busy: no old address to tell the new one from; the checkpoint check remains
        }
        return Optional.empty();
    }
}
