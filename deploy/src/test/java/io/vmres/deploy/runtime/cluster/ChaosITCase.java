package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A short chaos run on the local cluster: a fault-free round, then one round in which racks fail
 * while each of the five faults hits in turn (a TaskManager, a broker killed, a broker paused, the
 * connector, the JobManager). The fleet's ledger must show no VM lost, no command executed twice,
 * no healthy host fenced, no VM on two hosts at once, and every VM of a failed host restarted
 * exactly once. The cluster's folder, with every process's log, stays in {@code target/chaos-it/}.
 */
@Tag("slow")
class ChaosITCase {

    @Test
    void racksFailedUnderEveryFaultAreRecoveredOnceWithNoHealthyHostFenced() throws Exception {
        Path dir =
                Path.of("target", "chaos-it", Long.toString(System.currentTimeMillis()))
                        .toAbsolutePath();
        Files.createDirectories(dir);
        Installation inst = Installation.current();
        // a killed connector leaves its group in 10 s, not Kafka's 45: its fault heals sooner
        LocalCluster cluster =
                new LocalCluster(dir.resolve("home"), System.out)
                        .connectorSessionTimeout(Duration.ofSeconds(10));
        ChaosRun.Options options =
                new ChaosRun.Options(
                        5,
                        1,
                        100,
                        120,
                        3,
                        2,
                        7,
                        Duration.ofSeconds(30),
                        Duration.ofMinutes(5),
                        2,
                        inst.jobJar().orElseThrow(),
                        List.of(),
                        dir.resolve("report"));
        PrintStream out = System.out;
        ChaosRun.Result r;
        try {
            r = new ChaosRun(cluster, inst, options, out).run();
        } finally {
            // whatever happened, nothing of the cluster may be left running
            assertThat(cluster.alivePids()).isEmpty();
        }

        ChaosVerdict v = r.verdict();
        assertThat(v.vmsLost()).as("VMs lost").isEmpty();
        assertThat(v.commandsRunTwice()).as("commands executed twice").isEmpty();
        assertThat(v.healthyHostsFenced()).as("healthy hosts fenced").isEmpty();
        assertThat(v.vmsOnTwoHosts()).as("VMs on two hosts at once").isEmpty();
        assertThat(v.vmsRestartedMoreThanOnce()).as("VMs restarted more than once").isEmpty();
        assertThat(v.recoveries())
                .hasSize(2)
                .allSatisfy(
                        rec -> {
                            assertThat(rec.vms()).isPositive();
                            assertThat(rec.restarted()).isEqualTo(rec.vms());
                        });
        assertThat(r.rounds().get(1).faults())
                .extracting(ChaosRun.Injected::fault)
                .containsExactly(ChaosFault.values());
        assertThat(r.rounds().get(1).faults()).allSatisfy(f -> assertThat(f.healed()).isTrue());
        assertThat(
                        Files.readString(
                                dir.resolve("report").resolve("chaos.md"), StandardCharsets.UTF_8))
                .contains("PASSED");
    }
}
