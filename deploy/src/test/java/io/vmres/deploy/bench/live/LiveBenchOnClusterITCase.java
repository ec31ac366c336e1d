package io.vmres.deploy.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.runtime.cluster.Installation;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code vmres bench live --on-cluster}, short: one single-host crash and a rack of ten hosts, the
 * brokers and the job on the multi-process cluster (three brokers, a JobManager and two
 * TaskManagers, each a process), the fleet and its connector in this JVM. Every crashed host's VMs
 * come back exactly once, no recovery beats its floor, and nothing of the cluster is left running.
 * Tagged {@code cluster} as the other runs of the multi-process cluster: {@code mvn -Pcluster}.
 */
@Tag("slow")
@Tag("cluster")
class LiveBenchOnClusterITCase {

    @Test
    void crashesOnTheClusterOfProcessesRecoverOnceAndAreMeasuredAgainstTheirFloor()
            throws Exception {
        Installation inst = Installation.current();
        LiveBench.Options options =
                new LiveBench.Options(
                        1,
                        10,
                        3,
                        5,
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1),
                        false,
                        true,
                        5,
                        LiveBench.BEAT_PHASES,
                        inst.jobJar().orElseThrow());
        PrintStream out = System.out;
        long before = javaProcessesOfCluster();
        LiveBench.Runs runs = LiveBench.measure(options, out);

        assertThat(runs.before()).isNull();
        assertThat(runs.now().singles()).hasSize(1);
        assertThat(runs.now().rack().hosts()).isEqualTo(10);
        LiveBenchITCase.assertEveryCrashRecoveredOnceAboveItsFloor(runs.now());
        // the brokers, the JobManager and the TaskManagers are gone with the run
        assertThat(javaProcessesOfCluster()).isEqualTo(before);
    }

    /** The processes on this machine that run a Kafka broker or a Flink cluster part. */
    private static long javaProcessesOfCluster() {
        return ProcessHandle.allProcesses()
                .filter(
                        p ->
                                p.info()
                                        .commandLine()
                                        .map(
                                                c ->
                                                        c.contains("vmres-bench-cluster")
                                                                && (c.contains("kafka.Kafka")
                                                                        || c.contains(
                                                                                "org.apache.flink")))
                                        .orElse(false))
                .count();
    }
}
