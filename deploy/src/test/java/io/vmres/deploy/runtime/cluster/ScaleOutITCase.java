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
 * A small scale-out run on the local cluster: three vmres clusters of 100 hosts (3 VMs each), the
 * job at parallelism 4; after an unmeasured warm-up phase, in two rounds of alternating order
 * (alone, together, together, alone), a rack of each cluster fails alone, one after the other, and
 * the same racks in all three at once; after each phase the fleet moves the rack's VMs back to it,
 * so that every phase of a cluster fails the very same VMs. Each cluster's median recovery time
 * together (the job's recoveryS) must be within 10% of its median alone, and the fleet's ledger
 * must show every failed HA VM restarted exactly once. The cluster's folder stays in {@code
 * target/scaleout-it/}.
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
                        100,
                        3,
                        3,
                        2,
                        true,
                        4,
                        1,
                        0.10,
                        85,
                        Duration.ofSeconds(4),
                        0.05,
                        Duration.ofMinutes(8),
                        Duration.ofSeconds(10),
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
        // alone, together, together, alone: phases 1-3, 4, 5, 6-8
        assertThat(r.phases())
                .extracting(ScaleOutRun.Recovery::phase)
                .containsExactly(1, 2, 3, 4, 4, 4, 5, 5, 5, 6, 7, 8);
        for (ScaleOutRun.Row row : r.rows()) {
            assertThat(row.byJob()).as("the job's recoveryS on every phase").isTrue();
            assertThat(row.alone()).hasSize(2);
            assertThat(row.together()).hasSize(2);
            // comparable failures: the same rack each time, every HA VM of it restarted once
            for (ScaleOutRun.Recovery x : r.phases()) {
                assertThat(x.hosts()).isEqualTo(20);
                assertThat(x.restarted()).isEqualTo(x.haVms()).isPositive();
            }
            assertThat(
                            r.phases().stream()
                                    .filter(x -> x.cluster().equals(row.cluster()))
                                    .map(x -> x.rack() + "/" + x.haVms())
                                    .distinct())
                    .as("%s fails one rack of one shape in every phase", row.cluster())
                    .hasSize(1);
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
