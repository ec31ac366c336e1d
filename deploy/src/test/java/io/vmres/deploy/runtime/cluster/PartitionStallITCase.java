package io.vmres.deploy.runtime.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.runtime.Await;
import io.vmres.deploy.runtime.DecisionLog;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.deploy.runtime.QuickHypervisor;
import io.vmres.deploy.runtime.TopicSetup;
import io.vmres.schema.Action;
import io.vmres.schema.Alert;
import io.vmres.schema.Command;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition stall is an outage of the input, not of hosts: on three real brokers, the leader of a
 * heartbeat partition is paused (SIGSTOP) for 60 s. No host of that partition is declared failed or
 * fenced, a PARTITION_STALLED alert names the partition, and a host of another partition that
 * crashes meanwhile is still recovered.
 */
@Tag("slow")
@Tag("cluster")
class PartitionStallITCase {
    private static final int PARTITIONS = 4;

    @TempDir Path home;

    @Test
    void aPausedLeaderFailsNoHostOfItsPartition() throws Exception {
        Installation inst = Installation.current();
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("pids"));
        Files.writeString(home.resolve("log4j2.properties"), JvmOptions.LOG4J2);
        ClusterConfig ports = ClusterConfig.freePorts(3);
        ClusterProcesses processes = new ClusterProcesses(home);
        KafkaQuorum kafka = new KafkaQuorum(home, ports, inst, processes);
        List<String> brokers =
                List.of(KafkaQuorum.name(0), KafkaQuorum.name(1), KafkaQuorum.name(2));
        Long paused = null;
        try {
            kafka.format();
            kafka.start();
            kafka.awaitReady(Duration.ofMinutes(2));
            String bootstrap = ports.bootstrap();
            TopicPartitionInfo stalled;
            try (Admin admin = KafkaQuorum.admin(bootstrap)) {
                TopicSetup.create(admin, TopicSetup.wanted(PARTITIONS, 3));
                stalled = firstPartition(admin);
            }
            SimulatedFleet fleet =
                    SimulatedFleet.builder()
                            .hosts(16)
                            .clusters(1)
                            .hostsPerRack(4)
                            .vmsPerHost(3)
                            .seed(17)
                            .build();
            SimulatedHypervisor hypervisor = QuickHypervisor.of(fleet, 17);
            // the producers key heartbeats by host: Kafka's default partitioner places them
            Set<String> onStalled = new TreeSet<>();
            String victim = null;
            for (FleetHost h : fleet.hosts()) {
                int p =
                        Utils.toPositive(Utils.murmur2(h.host().getBytes(StandardCharsets.UTF_8)))
                                % PARTITIONS;
                if (p == stalled.partition()) {
                    onStalled.add(h.host());
                } else if (victim == null && !h.spare() && h.bmc()) {
                    victim = h.host();
                }
            }
            assertThat(onStalled).isNotEmpty();
            String crashed = victim;
            try (LiveRuntime runtime =
                            LiveRuntime.builder(fleet)
                                    .bootstrapServers(bootstrap)
                                    .hypervisor(hypervisor)
                                    .start();
                    DecisionLog log = new DecisionLog(bootstrap, r -> {})) {
                Await.await(
                        Duration.ofSeconds(120),
                        () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= 10));
                String leader = KafkaQuorum.name(stalled.leader().id() - 1);
                paused = processes.find(leader).orElseThrow().pid();
                signal("STOP", paused);
                Thread.sleep(5_000);
                fleet.crash(crashed);
                Thread.sleep(55_000);
                signal("CONT", paused);
                paused = null;

                Incident recovered =
                        Await.await(
                                Duration.ofSeconds(180),
                                () ->
                                        log.incidents().stream()
                                                .filter(i -> i.getHosts().contains(crashed))
                                                .filter(
                                                        i ->
                                                                i.getState()
                                                                        .name()
                                                                        .equals("RECOVERED"))
                                                .findFirst(),
                                () ->
                                        "crashed "
                                                + crashed
                                                + " on another partition than "
                                                + onStalled
                                                + "\nincidents "
                                                + log.incidents()
                                                + "\nalerts "
                                                + log.alerts()
                                                + "\ncommands "
                                                + log.commands()
                                                + "\nresults "
                                                + log.results());
                assertThat(recovered.getKind().name()).isEqualTo("HOST_FAILURE");
                // past any decision the stall could have caused
                Thread.sleep(15_000);
                List<Incident> incidents = log.incidents();
                assertThat(incidents)
                        .as("incidents; alerts %s", log.alerts())
                        .allSatisfy(
                                i ->
                                        assertThat(i.getHosts())
                                                .doesNotContainAnyElementsOf(onStalled));
                List<Command> fences =
                        log.commands().stream()
                                .filter(c -> c.getAction() == Action.FENCE_HOST)
                                .toList();
                assertThat(fences)
                        .extracting(Command::getHost)
                        .doesNotContainAnyElementsOf(onStalled);
                List<Alert> stalls =
                        log.alerts().stream()
                                .filter(a -> a.getKind().equals("PARTITION_STALLED"))
                                .toList();
                assertThat(stalls)
                        .as("alerts %s", log.alerts())
                        .anySatisfy(
                                a ->
                                        assertThat(a.getDetail())
                                                .contains(
                                                        Topics.HEARTBEAT
                                                                + "-"
                                                                + stalled.partition())
                                                .contains(onStalled.iterator().next()));
            }
        } finally {
            if (paused != null) {
                signal("CONT", paused);
            }
            processes.stop(brokers, Duration.ofSeconds(15));
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    /**
     * Partition 0 of the heartbeat topic with its leader, once every broker knows the new topic (a
     * topic just created may be unknown to the broker asked for a moment).
     */
    private static TopicPartitionInfo firstPartition(Admin admin) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                TopicPartitionInfo p =
                        admin.describeTopics(List.of(Topics.HEARTBEAT))
                                .allTopicNames()
                                .get(30, TimeUnit.SECONDS)
                                .get(Topics.HEARTBEAT)
                                .partitions()
                                .get(0);
                if (p.leader() != null) {
                    return p;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause()
                                instanceof
                                org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no leader of " + Topics.HEARTBEAT + "-0 within 60 s");
            }
            Thread.sleep(200);
        }
    }
}
