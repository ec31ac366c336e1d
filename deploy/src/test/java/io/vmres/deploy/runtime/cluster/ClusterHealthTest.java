package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;

class ClusterHealthTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long LIFTED = 1_000_000L;

    private static ClusterHealth.PartitionState full(String topic, int p) {
        return new ClusterHealth.PartitionState(topic, p, 3, 3, true);
    }

    private static List<ClusterHealth.VoterState> caughtUp() {
        return List.of(
                new ClusterHealth.VoterState(1, OptionalLong.of(LIFTED + 10)),
                new ClusterHealth.VoterState(2, OptionalLong.of(LIFTED + 20)),
                new ClusterHealth.VoterState(3, OptionalLong.of(LIFTED)));
    }

    @Test
    void kafkaIsWholeOnlyWithEveryBrokerEveryReplicaInSyncAndEveryControllerCaughtUp() {
        List<ClusterHealth.PartitionState> all =
                List.of(full("vmres.telemetry.heartbeat", 0), full("__consumer_offsets", 7));
        assertThat(ClusterHealth.kafkaGap(3, 3, all, caughtUp(), LIFTED)).isEmpty();

        // the broker process is up and registered, but not yet back in the ISR: producers with
        // acks=all and min.insync.replicas 2 are one fault away from NOT_ENOUGH_REPLICAS
        List<ClusterHealth.PartitionState> behind =
                List.of(
                        full("vmres.telemetry.heartbeat", 0),
                        new ClusterHealth.PartitionState(
                                "vmres.telemetry.heartbeat", 1, 3, 2, true));
        assertThat(ClusterHealth.kafkaGap(3, 3, behind, caughtUp(), LIFTED))
                .hasValueSatisfying(
                        g ->
                                assertThat(g)
                                        .contains("1 partitions under-replicated")
                                        .contains("vmres.telemetry.heartbeat-1 isr 2/3"));

        List<ClusterHealth.PartitionState> leaderless =
                List.of(new ClusterHealth.PartitionState("vmres.commands", 2, 3, 3, false));
        assertThat(ClusterHealth.kafkaGap(3, 3, leaderless, caughtUp(), LIFTED))
                .hasValueSatisfying(g -> assertThat(g).contains("(no leader)"));

        assertThat(ClusterHealth.kafkaGap(3, 2, all, caughtUp(), LIFTED))
                .contains("2 of 3 brokers in the cluster");

        // a controller last caught up before the fault was lifted has not rejoined the quorum
        List<ClusterHealth.VoterState> lagging =
                List.of(
                        new ClusterHealth.VoterState(1, OptionalLong.of(LIFTED + 10)),
                        new ClusterHealth.VoterState(2, OptionalLong.of(LIFTED - 1)),
                        new ClusterHealth.VoterState(3, OptionalLong.of(LIFTED)));
        assertThat(ClusterHealth.kafkaGap(3, 3, all, lagging, LIFTED))
                .contains("controller 2 not caught up with the leader");
        List<ClusterHealth.VoterState> unknown =
                List.of(
                        new ClusterHealth.VoterState(1, OptionalLong.of(LIFTED + 10)),
                        new ClusterHealth.VoterState(2, OptionalLong.of(LIFTED + 10)),
                        new ClusterHealth.VoterState(3, OptionalLong.empty()));
        assertThat(ClusterHealth.kafkaGap(3, 3, all, unknown, LIFTED))
                .contains("controller 3 not caught up with the leader");
        assertThat(ClusterHealth.kafkaGap(3, 3, all, caughtUp().subList(0, 2), LIFTED))
                .contains("2 of 3 controllers in the quorum");
    }

    @Test
    void aGroupConsumesAgainOnceTheKilledMemberIsGoneAndANewOneHasPartitions() {
        Set<String> before = Set.of("connector-old");
        assertThat(
                        ClusterHealth.groupGap(
                                Optional.of(GroupState.STABLE),
                                List.of("connector-new"),
                                4,
                                before))
                .isEmpty();
        // right after the kill the group still looks stable, with the dead member in it
        assertThat(
                        ClusterHealth.groupGap(
                                Optional.of(GroupState.STABLE),
                                List.of("connector-old"),
                                4,
                                before))
                .contains("the killed member connector-old still in the group");
        assertThat(
                        ClusterHealth.groupGap(
                                Optional.of(GroupState.PREPARING_REBALANCE),
                                List.of("connector-new"),
                                0,
                                before))
                .contains("group PREPARING_REBALANCE");
        assertThat(ClusterHealth.groupGap(Optional.of(GroupState.STABLE), List.of(), 0, before))
                .contains("no member consuming");
    }

    @Test
    void aJobIsWholeWithEveryTaskManagerEveryTaskRunningAndACheckpointSinceTheFault()
            throws Exception {
        JsonNode tms =
                JSON.readTree(
                        "{\"taskmanagers\":[{\"id\":\"taskmanager-1\",\"path\":\"new:1\"},"
                                + "{\"id\":\"taskmanager-2\",\"path\":\"b:2\"}]}");
        JsonNode since =
                JSON.readTree(
                        "{\"latest\":{\"completed\":{\"id\":9,\"trigger_timestamp\":"
                                + (LIFTED + 500)
                                + "}}}");
        FlinkRest.JobState running = new FlinkRest.JobState("RUNNING", true);
        Optional<String> tm1 = Optional.of("taskmanager-1");
        assertThat(ClusterHealth.jobGap(tms, 2, tm1, Optional.of("old:1"), running, since, LIFTED))
                .isEmpty();

        // the killed TaskManager still registered under its old address (its heartbeat not yet
        // timed out): the job looks RUNNING but is not whole
        assertThat(ClusterHealth.jobGap(tms, 2, tm1, Optional.of("new:1"), running, since, LIFTED))
                .contains("taskmanager-1 not registered again");
        JsonNode one =
                JSON.readTree("{\"taskmanagers\":[{\"id\":\"taskmanager-2\",\"path\":\"b:2\"}]}");
        assertThat(ClusterHealth.jobGap(one, 2, tm1, Optional.empty(), running, since, LIFTED))
                .contains("1 of 2 TaskManagers registered");
        assertThat(
                        ClusterHealth.jobGap(
                                tms,
                                2,
                                tm1,
                                Optional.of("old:1"),
                                new FlinkRest.JobState("RESTARTING", false),
                                since,
                                LIFTED))
                .contains("the job RESTARTING, not every task");
        JsonNode before =
                JSON.readTree(
                        "{\"latest\":{\"completed\":{\"id\":8,\"trigger_timestamp\":"
                                + (LIFTED - 1)
                                + "}}}");
        for (JsonNode checkpoints :
                List.of(before, JSON.readTree("{\"latest\":{\"completed\":null}}"))) {
            assertThat(
                            ClusterHealth.jobGap(
                                    tms,
                                    2,
                                    Optional.empty(),
                                    Optional.empty(),
                                    running,
                                    checkpoints,
                                    LIFTED))
                    .contains("no checkpoint completed since the fault");
        }
    }
}
