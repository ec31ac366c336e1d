package io.vmres.deploy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.schema.Incident;
import java.nio.file.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job is stopped with a savepoint in the middle of a recovery and a new job starts from it, as
 * an upgrade would: the recovery completes, no command reaches the connector twice, and every VM is
 * restarted exactly once.
 */
@Tag("slow")
class SavepointRestartITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .build());

    @Test
    void recoveryGoesOnAcrossAStopAndAStartFromASavepoint(@TempDir Path savepoints)
            throws Exception {
        InterruptedRecovery.run(
                KAFKA.kafka(),
                13,
                (runtime, log) ->
                        assertThat(runtime.restartJobFromSavepoint(savepoints))
                                .contains(savepoints.getFileName().toString()),
                // one incident for the one crash: the new job carried the old one's state on
                (runtime, log) ->
                        assertThat(log.incidents().stream().map(Incident::getIncidentId).distinct())
                                .hasSize(1));
    }
}
