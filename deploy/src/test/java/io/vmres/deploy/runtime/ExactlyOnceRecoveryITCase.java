package io.vmres.deploy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A TaskManager of the job dies in the middle of a recovery; the job restarts from its last
 * checkpoint. Commands go out in Kafka transactions committed with checkpoints, so the connector
 * sees every command exactly once, and every VM is restarted exactly once.
 */
@Tag("slow")
class ExactlyOnceRecoveryITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @Test
    void taskManagerLostMidRecoveryRepeatsAndLosesNothing(@InjectMiniCluster MiniCluster cluster)
            throws Exception {
        InterruptedRecovery.run(
                KAFKA.kafka(),
                11,
                (runtime, log) -> {
                    // the only TaskManager dies with every task of the job; a new one takes over
                    cluster.terminateTaskManager(0).get();
                    cluster.startTaskManager();
                },
                (runtime, log) ->
                        assertThat(
                                        cluster.getExecutionGraph(runtime.job().getJobID())
                                                .get()
                                                .getStatusTimestamp(JobStatus.RESTARTING))
                                .as("the job restarted from its checkpoint")
                                .isPositive());
    }
}
