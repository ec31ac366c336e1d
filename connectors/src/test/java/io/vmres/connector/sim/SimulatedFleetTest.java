package io.vmres.connector.sim;

import static io.vmres.connector.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.connector.testing.TopicRecords;
import io.vmres.schema.Channel;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Host;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import io.vmres.schema.Vm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class SimulatedFleetTest {

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

    @Test
    void recordsTheBrokerDidNotTakeAreCountedAsLost() {
        MockProducer<byte[], byte[]> refusing =
                new MockProducer<>(
                        false, null, new ByteArraySerializer(), new ByteArraySerializer());
        SimulatedFleet fleet = SimulatedFleet.builder().hosts(10).seed(3).build();
        TelemetryPublisher telemetry = fleet.telemetry(refusing);
        telemetry.publishInventory();
        long sent = telemetry.published();
        assertThat(sent).isEqualTo(fleet.hosts().size() + fleet.vms().size());

        refusing.completeNext();
        refusing.errorNext(new org.apache.kafka.common.errors.OutOfOrderSequenceException("gap"));
        while (refusing.completeNext()) {
            // the rest are taken
        }
        assertThat(telemetry.published()).isEqualTo(sent);
        assertThat(telemetry.lost()).isEqualTo(1);
        assertThat(telemetry.firstLoss())
                .startsWith(Topics.INVENTORY + " for ")
                .contains("OutOfOrderSequenceException");
    }

    @Test
    void defaultFleetHasTwoHundredHostsAndAboutTwoThousandVms() {
        SimulatedFleet fleet = SimulatedFleet.builder().build();

        List<FleetHost> hosts = fleet.hosts();
        assertThat(hosts).hasSize(200);
        assertThat(fleet.vms()).hasSizeBetween(1_900, 2_000);
        assertThat(hosts).extracting(FleetHost::cluster).containsOnly("c1", "c2");
        // A rack holds at most 20 hosts, all of one cluster.
        Map<String, List<FleetHost>> byRack =
                hosts.stream().collect(Collectors.groupingBy(FleetHost::rack));
        assertThat(byRack).hasSize(10);
        byRack.forEach(
                (rack, hs) -> {
                    assertThat(hs).hasSizeLessThanOrEqualTo(20);
                    assertThat(hs.stream().map(FleetHost::cluster).distinct()).hasSize(1);
                });
        // Five racks a cluster in power domains of two racks: three a cluster, none spanning two.
        Map<String, List<FleetHost>> byPowerDomain =
                hosts.stream().collect(Collectors.groupingBy(FleetHost::powerDomain));
        assertThat(byPowerDomain).hasSize(6);
        byPowerDomain.forEach(
                (pd, hs) -> assertThat(hs.stream().map(FleetHost::cluster).distinct()).hasSize(1));
        assertThat(hosts.stream().filter(FleetHost::spare)).hasSize(4);
        for (FleetHost h : hosts) {
            SimulatedFleet.Usage used = fleet.used(h.host());
            assertThat(used.cpu()).as(h.host()).isLessThanOrEqualTo(h.cpu());
            assertThat(used.memMb()).as(h.host()).isLessThanOrEqualTo(h.memMb());
            if (h.spare()) {
                assertThat(fleet.vmsOn(h.host())).as("spare " + h.host()).isEmpty();
            }
        }
        assertThat(fleet.vms().stream().filter(v -> !v.ha()).count()).isBetween(20L, 200L);
        assertThat(fleet.vms())
                .allSatisfy(
                        v ->
                                assertThat(fleet.host(v.host()).get().storageDomains())
                                        .contains(v.storageDomain()));
    }

    @Test
    void antiAffinityGroupsSpreadOverDistinctHostsOfOneCluster() {
        SimulatedFleet fleet = SimulatedFleet.builder().antiAffinityGroups(4, 3).build();
        Map<String, List<FleetVm>> groups =
                fleet.vms().stream()
                        .filter(v -> v.antiAffinityGroup() != null)
                        .collect(Collectors.groupingBy(FleetVm::antiAffinityGroup));

        assertThat(groups).hasSize(8);
        groups.forEach(
                (g, members) -> {
                    assertThat(members).as(g).hasSize(3);
                    assertThat(members.stream().map(FleetVm::host).distinct()).as(g).hasSize(3);
                    assertThat(
                                    members.stream()
                                            .map(v -> fleet.host(v.host()).get().cluster())
                                            .distinct())
                            .as(g)
                            .hasSize(1);
                });
    }

    @Test
    void theSameSeedGivesTheSameFleet() {
        SimulatedFleet a = SimulatedFleet.builder().hosts(40).seed(7).hostsWithoutBmc(3).build();
        SimulatedFleet b = SimulatedFleet.builder().hosts(40).seed(7).hostsWithoutBmc(3).build();
        SimulatedFleet c = SimulatedFleet.builder().hosts(40).seed(8).hostsWithoutBmc(3).build();

        assertThat(a.vms()).isEqualTo(b.vms());
        assertThat(a.hosts()).isEqualTo(b.hosts());
        assertThat(a.vms()).isNotEqualTo(c.vms());
        assertThat(a.hosts().stream().filter(h -> !h.bmc())).hasSize(3).noneMatch(FleetHost::spare);
    }

    @Test
    void builderRejectsBadSettings() {
        assertThatThrownBy(() -> SimulatedFleet.builder().hosts(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimulatedFleet.builder().nonHaFraction(1.5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                SimulatedFleet.builder()
                                        .hosts(4)
                                        .clusters(2)
                                        .sparesPerCluster(2)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void inventoryThenHeartbeatsOnBothChannelsAndPowerReadings() {
        SimulatedFleet fleet =
                SimulatedFleet.builder().hosts(10).clusters(1).sparesPerCluster(1).build();
        TelemetryPublisher telemetry = fleet.telemetry(producer);

        telemetry.publishInventory();
        List<SpecificRecord> inventory = decoded(Topics.INVENTORY);
        assertThat(inventory.stream().filter(r -> r instanceof Host)).hasSize(10);
        assertThat(inventory.stream().filter(r -> r instanceof Vm)).hasSize(fleet.vms().size());
        assertThat(keys(Topics.INVENTORY)).contains("h01").doesNotContain(fleet.vms().get(0).vm());

        producer.clear();
        telemetry.tick();
        List<Heartbeat> beats = records(Topics.HEARTBEAT, Heartbeat.class);
        assertThat(beats).hasSize(20);
        assertThat(beats.stream().filter(b -> b.getChannel() == Channel.storage)).hasSize(10);
        assertThat(keys(Topics.HEARTBEAT)).contains("h01", "h10");
        assertThat(records(Topics.POWER, Power.class))
                .hasSize(10)
                .allMatch(p -> p.getState() == PowerState.on);
    }

    @Test
    void hostsBeatAtTheirOwnPhasesSpreadOverTheInterval() {
        long[] now = {1_000_000};
        java.time.Clock clock =
                new java.time.Clock() {
                    @Override
                    public java.time.ZoneId getZone() {
                        return java.time.ZoneOffset.UTC;
                    }

                    @Override
                    public java.time.Clock withZone(java.time.ZoneId zone) {
                        return this;
                    }

                    @Override
                    public java.time.Instant instant() {
                        return java.time.Instant.ofEpochMilli(now[0]);
                    }
                };
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(10)
                        .clusters(1)
                        .sparesPerCluster(1)
                        .beatPhases(5)
                        .powerEveryTicks(1)
                        .clock(clock)
                        .build();
        TelemetryPublisher telemetry = fleet.telemetry(producer);
        for (int k = 0; k < 5; k++) {
            telemetry.nextPhase();
            now[0] += 200;
            assertThat(telemetry.ticks()).isEqualTo(k == 4 ? 1 : 0); // a round ends at its last
        }
        List<Heartbeat> beats = records(Topics.HEARTBEAT, Heartbeat.class);
        // every host beat once on each channel in the round, two hosts a phase, 200 ms apart
        assertThat(beats).hasSize(20);
        Map<String, Set<Long>> tsByHost = new HashMap<>();
        for (Heartbeat b : beats) {
            tsByHost.computeIfAbsent(b.getHost(), h -> new HashSet<>())
                    .add(b.getTs().toEpochMilli());
        }
        assertThat(tsByHost).hasSize(10).allSatisfy((h, ts) -> assertThat(ts).hasSize(1));
        Map<Long, Long> hostsByTs =
                tsByHost.values().stream()
                        .map(ts -> ts.iterator().next())
                        .collect(Collectors.groupingBy(t -> t, Collectors.counting()));
        assertThat(hostsByTs)
                .containsOnlyKeys(1_000_000L, 1_000_200L, 1_000_400L, 1_000_600L, 1_000_800L)
                .allSatisfy((t, n) -> assertThat(n).isEqualTo(2));
        // power readings at each host's phase too, with the round's cadence
        assertThat(records(Topics.POWER, Power.class)).hasSize(10);
        telemetry.nextPhase(); // the next round begins with the first phase's hosts again
        assertThat(records(Topics.HEARTBEAT, Heartbeat.class)).hasSize(24);
    }

    @Test
    void crashStopsHeartbeatsAndTheBmcReadsOffAtOnceAndOnEveryPowerRound() {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(10)
                        .clusters(1)
                        .sparesPerCluster(1)
                        .powerEveryTicks(2)
                        .build();
        TelemetryPublisher telemetry = fleet.telemetry(producer);
        telemetry.tick();
        producer.clear();

        fleet.crash("h03");
        assertThat(records(Topics.POWER, Power.class))
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getHost()).isEqualTo("h03");
                            assertThat(p.getState()).isEqualTo(PowerState.off);
                        });
        assertThat(fleet.power("h03")).isEqualTo(PowerState.off);

        producer.clear();
        for (int i = 0; i < 4; i++) {
            telemetry.tick();
        }
        List<Heartbeat> beats = records(Topics.HEARTBEAT, Heartbeat.class);
        assertThat(beats).hasSize(4 * 18).noneMatch(b -> b.getHost().equals("h03"));
        List<Power> h03Power =
                records(Topics.POWER, Power.class).stream()
                        .filter(p -> p.getHost().equals("h03"))
                        .toList();
        assertThat(h03Power).hasSize(2).allMatch(p -> p.getState() == PowerState.off);

        fleet.repair("h03");
        producer.clear();
        telemetry.tick();
        assertThat(records(Topics.HEARTBEAT, Heartbeat.class))
                .anyMatch(b -> b.getHost().equals("h03"));
    }

    @Test
    void isolationStopsOnlyManagementBeatsAndAHangLeavesThePowerOn() {
        SimulatedFleet fleet =
                SimulatedFleet.builder().hosts(6).clusters(1).sparesPerCluster(1).build();
        TelemetryPublisher telemetry = fleet.telemetry(producer);
        fleet.isolate("h01");
        fleet.hang("h02");
        telemetry.tick();

        Map<String, Set<Channel>> channels = new HashMap<>();
        for (Heartbeat b : records(Topics.HEARTBEAT, Heartbeat.class)) {
            channels.computeIfAbsent(b.getHost(), k -> new HashSet<>()).add(b.getChannel());
        }
        assertThat(channels.get("h01")).containsExactly(Channel.storage);
        assertThat(channels).doesNotContainKey("h02");
        assertThat(channels.get("h03")).containsExactlyInAnyOrder(Channel.mgmt, Channel.storage);
        assertThat(records(Topics.POWER, Power.class)).allMatch(p -> p.getState() == PowerState.on);
    }

    @Test
    void healthSamplesComeNowAndThenAndOnDemand() {
        SimulatedFleet fleet =
                SimulatedFleet.builder().hosts(20).clusters(1).healthEveryTicks(1, 1.0).build();
        TelemetryPublisher telemetry = fleet.telemetry(producer);
        telemetry.tick();
        List<Health> background = records(Topics.HEALTH, Health.class);
        assertThat(background).hasSize(40);
        assertThat(background).allMatch(h -> h.getValue() < 70);

        producer.clear();
        fleet.health("h04", "pfa", 1);
        assertThat(records(Topics.HEALTH, Health.class))
                .singleElement()
                .satisfies(h -> assertThat(h.getSensor()).isEqualTo("pfa"));
    }

    @Test
    void startedPublisherBeatsOnItsOwnThreadUntilClosed() {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(4)
                        .clusters(1)
                        .sparesPerCluster(1)
                        .heartbeatInterval(Duration.ofMillis(10))
                        .build();
        TelemetryPublisher telemetry = fleet.telemetry(producer).start();
        await("three rounds", () -> telemetry.ticks() >= 3);
        telemetry.close();
        int after = producer.history().size();

        assertThat(records(Topics.INVENTORY, SpecificRecord.class)).isNotEmpty();
        assertThat(records(Topics.HEARTBEAT, Heartbeat.class)).hasSizeGreaterThanOrEqualTo(3 * 8);
        fleet.crash("h01"); // detached: nothing more goes out
        assertThat(producer.history()).hasSize(after);
        // A new publisher may be attached once the old one is closed.
        assertThat(fleet.telemetry(producer)).isNotNull();
    }

    // ---- fixtures ----

    private List<SpecificRecord> decoded(String topic) {
        return records(topic, SpecificRecord.class);
    }

    private <T> List<T> records(String topic, Class<T> type) {
        return TopicRecords.sent(producer, topic, type);
    }

    private List<String> keys(String topic) {
        return producer.history().stream()
                .filter(r -> r.topic().equals(topic))
                .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .toList();
    }
}
