package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.runtime.Await;
import io.vmres.deploy.runtime.CaughtUp;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Incident;
import io.vmres.schema.IncidentState;
import io.vmres.schema.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cluster end to end: up, submit, a simulated host crashed and recovered by the job on
 * the separate TaskManager processes, status, down with no process left.
 */
@Tag("slow")
@Tag("cluster")
class ClusterITCase {
    @TempDir Path home;
    private LocalCluster cluster;

    @AfterEach
    void down() throws Exception {
        if (cluster != null) {
            cluster.down();
            assertThat(cluster.alivePids()).isEmpty();
        }
    }

    @Test
    void aCrashedHostIsRecoveredByTheJobOnTheCluster() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        cluster = new LocalCluster(home, out);
        Installation inst = Installation.current();
        ClusterConfig ports = cluster.up(inst, new LocalCluster.FleetShape(20, 5, 2, 1));
        List<Long> pids = cluster.alivePids();
        assertThat(pids).hasSize(LocalCluster.partNames().size());

        String jobId =
                cluster.submit(inst.jobJar().orElseThrow(), List.of(), 2, Duration.ofMinutes(2));
        // The victim must be a host the job has seen alive: a host whose every heartbeat the job
        // read before the host's record was never alive to it, and the spec declares no failure
        // of such a host. A crash right after the submission, while the job still read what the
        // fleet wrote during its start, could fall there and never be recovered. So the job first
        // catches up (its group commits the end offsets of every input), then reads a few beats
        // of every host on time.
        CaughtUp.await(ports.bootstrap(), "vmres-job");
        Thread.sleep(5_000);
        String crashed = cluster.crash("any");
        String host = crashed.split(" ")[1];

        try (KafkaConsumer<byte[], byte[]> incidents =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ports.bootstrap(),
                                ConsumerConfig.GROUP_ID_CONFIG, "cluster-it",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                                // the job writes in transactions: only committed incidents count
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            incidents.subscribe(List.of(Topics.INCIDENTS));
            AvroCodec codec = new AvroCodec();
            Incident recovered =
                    Await.await(
                            Duration.ofMinutes(4),
                            () -> {
                                for (var r : incidents.poll(Duration.ofMillis(500))) {
                                    if (decode(codec, r.value()) instanceof Incident i
                                            && i.getHosts().contains(host)
                                            && i.getState() == IncidentState.RECOVERED) {
                                        return Optional.of(i);
                                    }
                                }
                                return Optional.empty();
                            });
            assertThat(recovered.getHosts()).contains(host);
        }

        LocalCluster.JobStatus job = cluster.job().orElseThrow();
        assertThat(job.jobId()).isEqualTo(jobId);
        assertThat(job.state()).isEqualTo("RUNNING");
        assertThat(job.completedCheckpoints()).isPositive();

        cluster.down();
        assertThat(cluster.alivePids()).isEmpty();
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
        cluster = null;
    }

    private static Object decode(AvroCodec codec, byte[] bytes) {
        try {
            return codec.decode(bytes);
        } catch (AvroCodec.BadRecordException e) {
            throw new AssertionError("the job wrote an undecodable incident", e);
        }
    }
}
