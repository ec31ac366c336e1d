package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A small scale-out run on the local cluster: three vmres clusters of 60 hosts (3 VMs each), the
 * job at parallelism 4; a rack of each cluster fails alone, one after the other, then racks of the
 * same shape in all three at once. Each cluster's recovery time together (the job's recoveryS) must
 * be within 10% of its time alone, and the fleet's ledger must show every failed HA VM restarted
 * exactly once. The cluster's folder stays in {@code target/scaleout-it/}.
 */
@Tag("slow")
@Tag("cluster")
class ScaleOutITCase {

    @Test
    void clustersFailingAtOnceRecoverAsFastAsAlone() throws Exception {
        Path dir =
                Path.of("target", "scaleout-it", Long.toString(System.currentTimeMillis()))
                        .toAbsolutePath();
        Files.createDirectories(dir);
        Installation inst = Installation.current();
        LocalCluster cluster = new LocalCluster(dir.resolve("home"), System.out);
        ScaleOutRun.Options options =
                new ScaleOutRun.Options(
                        3,
                        60,
                        3,
                        3,
                        4,
                        1,
                        0.10,
                        85,
                        Duration.ofSeconds(4),
                        0.05,
                        Duration.ofMinutes(8),
                        inst.jobJar().orElseThrow(),
                        List.of(),
                        dir.resolve("report"));
        ScaleOutRun.Result r;
        try {
            r = new ScaleOutRun(cluster, inst, options, System.out).run();
        } finally {
            assertThat(cluster.alivePids()).isEmpty();
        }

        assertThat(r.rows()).extracting(ScaleOutRun.Row::cluster).containsExactly("c1", "c2", "c3");
        for (ScaleOutRun.Row row : r.rows()) {
            // comparable failures: a rack of as many hosts each time, every VM of it restarted once
            assertThat(row.together().hosts()).isEqualTo(row.alone().hosts()).isEqualTo(20);
            assertThat(row.alone().restarted()).isEqualTo(row.alone().haVms()).isPositive();
            assertThat(row.together().restarted()).isEqualTo(row.together().haVms()).isPositive();
            assertThat(row.aloneS()).as("%s alone", row.cluster()).isPositive();
            assertThat(row.togetherS())
                    .as("%s together against alone", row.cluster())
                    .isBetween(row.aloneS() * 0.9, row.aloneS() * 1.1);
        }
        ChaosVerdict v = r.verdict();
        assertThat(v.vmsLost()).as("VMs lost").isEmpty();
        assertThat(v.vmsRestartedMoreThanOnce()).as("VMs restarted more than once").isEmpty();
        assertThat(v.commandsRunTwice()).as("commands executed twice").isEmpty();
        assertThat(v.healthyHostsFenced()).as("healthy hosts fenced").isEmpty();
        assertThat(v.vmsOnTwoHosts()).as("VMs on two hosts at once").isEmpty();
        assertThat(r.passed()).isTrue();
        assertThat(
                        Files.readString(
                                dir.resolve("report").resolve("scaleout.md"),
                                StandardCharsets.UTF_8))
                .contains("PASSED");
    }
}
