package io.vmres.connector.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.testing.TopicRecords;
import io.vmres.schema.Action;
import io.vmres.schema.Channel;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import io.vmres.schema.Vm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class SimulatedHypervisorTest {
    private static final Duration T = Duration.ofSeconds(5);

    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    // One cluster of 6 hosts, h06 the spare; 12 VMs with one disk each.
    private final SimulatedFleet fleet =
            SimulatedFleet.builder()
                    .hosts(6)
                    .vmsPerHost(2)
                    .clusters(1)
                    .sparesPerCluster(1)
                    .seed(3)
                    .build();
    private final SimulatedHypervisor hv = SimulatedHypervisor.instant(fleet);

    SimulatedHypervisorTest() {
        fleet.telemetry(producer);
    }

    @Test
    void restartAfterACrashMovesTheVmAndPublishesItsNewPlace() throws Exception {
        FleetVm vm = fleet.vmsOn("h01").get(0);
        fleet.crash("h01");

        Outcome map =
                hv.mapDisks(
                        new Request.MapDisks("m1", "h01", "h06", List.of(vm.vm()), vm.disks()), T);
        Outcome restart = hv.restart(new Request.Restart("r1", vm.vm(), "h01", "h06"), T);

        assertThat(map.isSuccess()).isTrue();
        assertThat(restart.isSuccess()).as(restart.detail()).isTrue();
        assertThat(fleet.vm(vm.vm()).get().host()).isEqualTo("h06");
        List<Vm> published = records(Topics.INVENTORY, Vm.class);
        assertThat(published)
                .singleElement()
                .satisfies(
                        v -> {
                            assertThat(v.getVm()).isEqualTo(vm.vm());
                            assertThat(v.getHost()).isEqualTo("h06");
                            assertThat(v.getDisks()).isEqualTo(vm.disks());
                        });
        assertThat(keys(Topics.INVENTORY))
                .containsExactly("h06"); // a VM record is keyed by its host
        assertThat(hv.ledger().entries())
                .extracting(Ledger.Entry::commandId, Ledger.Entry::action, Ledger.Entry::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "m1", Action.MAP_DISKS, Outcome.Status.SUCCEEDED),
                        org.assertj.core.groups.Tuple.tuple(
                                "r1", Action.RESTART_VM, Outcome.Status.SUCCEEDED));
    }

    @Test
    void noRestartWhileTheHostIsPoweredOnUntilAFenceSucceeds() throws Exception {
        FleetVm vm = fleet.vmsOn("h02").get(0);
        fleet.hang("h02"); // silent, but its BMC still reads on
        hv.mapDisks(new Request.MapDisks("m1", "h02", "h06", List.of(vm.vm()), vm.disks()), T);

        Outcome early = hv.restart(new Request.Restart("r1", vm.vm(), "h02", "h06"), T);
        assertThat(early.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(early.detail()).contains("still powered on");
        assertThat(fleet.vm(vm.vm()).get().host()).isEqualTo("h02");

        Outcome fence = hv.fence(new Request.Fence("f1", "h02"), T);
        assertThat(fence.isSuccess()).isTrue();
        assertThat(fleet.power("h02")).isEqualTo(PowerState.off);
        assertThat(records(Topics.POWER, Power.class))
                .singleElement()
                .satisfies(p -> assertThat(p.getState()).isEqualTo(PowerState.off));

        Outcome late = hv.restart(new Request.Restart("r2", vm.vm(), "h02", "h06"), T);
        assertThat(late.isSuccess()).as(late.detail()).isTrue();
    }

    @Test
    void fencingALiveHostStopsItsHeartbeats() throws Exception {
        assertThat(fleet.beats("h03", Channel.mgmt)).isTrue();
        hv.fence(new Request.Fence("f1", "h03"), T);
        assertThat(fleet.beats("h03", Channel.mgmt)).isFalse();
        assertThat(fleet.beats("h03", Channel.storage)).isFalse();
        assertThat(fleet.power("h03")).isEqualTo(PowerState.off);
    }

    @Test
    void aHostWithoutBmcCannotBeFenced() throws Exception {
        SimulatedFleet noBmc =
                SimulatedFleet.builder()
                        .hosts(3)
                        .clusters(1)
                        .sparesPerCluster(1)
                        .hostsWithoutBmc(2)
                        .build();
        String host = noBmc.hosts().stream().filter(h -> !h.bmc()).findFirst().get().host();
        Outcome fence = SimulatedHypervisor.instant(noBmc).fence(new Request.Fence("f1", host), T);
        assertThat(fence.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(fence.detail()).contains("no BMC");
        assertThat(noBmc.power(host)).isEqualTo(PowerState.unknown);
    }

    @Test
    void aRestartNeedsItsDisksMappedOnTheTarget() throws Exception {
        FleetVm vm = fleet.vmsOn("h01").get(0);
        fleet.crash("h01");
        Outcome restart = hv.restart(new Request.Restart("r1", vm.vm(), "h01", "h05"), T);
        assertThat(restart.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(restart.detail()).contains("not mapped");
    }

    @Test
    void aRestartOnADownTargetOrBeyondCapacityFails() throws Exception {
        SimulatedFleet small =
                SimulatedFleet.builder()
                        .hosts(3)
                        .clusters(1)
                        .sparesPerCluster(1)
                        .vmsPerHost(1)
                        .hostCapacity(8, 32_768)
                        .vmSizes(List.of(new double[] {6, 8_192}))
                        .requireMappedDisks(false)
                        .build();
        SimulatedHypervisor shv = SimulatedHypervisor.instant(small);
        List<FleetVm> vms = small.vms();
        assertThat(vms).hasSize(2); // one per host: 6 cpu of 8, a third fits nowhere
        String source = vms.get(0).host();
        String other =
                vms.stream().map(FleetVm::host).filter(h -> !h.equals(source)).findFirst().get();
        small.crash(source);

        Outcome full = shv.restart(new Request.Restart("r1", vms.get(0).vm(), source, other), T);
        assertThat(full.detail()).contains("lacks capacity");
        small.crash("h03");
        Outcome down = shv.restart(new Request.Restart("r2", vms.get(0).vm(), source, "h03"), T);
        assertThat(down.detail()).contains("is down");
        assertThat(small.vm(vms.get(0).vm()).get().host()).isEqualTo(source);
    }

    @Test
    void liveMigrationMovesARunningVmAndFailsFromADeadHost() throws Exception {
        FleetVm a = fleet.vmsOn("h04").get(0);
        Outcome moved = hv.migrate(new Request.Migrate("g1", a.vm(), "h04", "h05"), T);
        assertThat(moved.isSuccess()).as(moved.detail()).isTrue();
        assertThat(fleet.vm(a.vm()).get().host()).isEqualTo("h05");

        // Asked again (a redelivery): already there, nothing moves twice.
        Outcome again = hv.migrate(new Request.Migrate("g1", a.vm(), "h04", "h05"), T);
        assertThat(again.isSuccess()).isTrue();
        assertThat(records(Topics.INVENTORY, Vm.class)).hasSize(1);

        FleetVm b = fleet.vmsOn("h04").get(0);
        fleet.crash("h04");
        Outcome dead = hv.migrate(new Request.Migrate("g2", b.vm(), "h04", "h05"), T);
        assertThat(dead.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(dead.detail()).contains("source host h04 is down");
    }

    @Test
    void theLedgerCountsEveryCallAndFindsCommandsRunTwice() throws Exception {
        FleetVm a = fleet.vmsOn("h04").get(0);
        hv.migrate(new Request.Migrate("g1", a.vm(), "h04", "h05"), T);
        hv.migrate(new Request.Migrate("g1", a.vm(), "h04", "h05"), T);
        hv.fence(new Request.Fence("f1", "h01"), T);

        Ledger ledger = hv.ledger();
        assertThat(ledger.size()).isEqualTo(3);
        assertThat(ledger.count(Action.LIVE_MIGRATE_VM)).isEqualTo(2);
        assertThat(ledger.count(Action.FENCE_HOST, Outcome.Status.SUCCEEDED)).isEqualTo(1);
        assertThat(ledger.runsPerCommand()).containsEntry("g1", 2).containsEntry("f1", 1);
        assertThat(ledger.repeatedCommands()).containsExactly("g1");
        assertThat(ledger.forCommand("f1"))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.host()).isEqualTo("h01");
                            assertThat(e.finished()).isAfterOrEqualTo(e.started());
                        });
    }

    @Test
    void injectedFaultsFailTheNextCallsOfAnAction() throws Exception {
        hv.failNext(Action.FENCE_HOST, 2, "injected");
        assertThat(hv.fence(new Request.Fence("f1", "h01"), T).detail()).isEqualTo("injected");
        assertThat(hv.fence(new Request.Fence("f2", "h01"), T).detail()).isEqualTo("injected");
        assertThat(fleet.power("h01")).isEqualTo(PowerState.on);
        assertThat(hv.fence(new Request.Fence("f3", "h01"), T).isSuccess()).isTrue();
        assertThat(hv.ledger().count(Action.FENCE_HOST, Outcome.Status.FAILED)).isEqualTo(2);
    }

    @Test
    void aCallSlowerThanItsTimeoutTimesOutAndChangesNothing() throws Exception {
        SimulatedHypervisor slow =
                SimulatedHypervisor.builder(fleet)
                        .noLatency()
                        .latency(Action.FENCE_HOST, Latency.fixed(Duration.ofSeconds(30)))
                        .build();
        Outcome fence = slow.fence(new Request.Fence("f1", "h01"), Duration.ofMillis(20));
        assertThat(fence.status()).isEqualTo(Outcome.Status.TIMED_OUT);
        assertThat(fleet.power("h01")).isEqualTo(PowerState.on);
    }

    @Test
    void latenciesAreDrawnFromTheSeed() {
        java.util.Random r1 = new java.util.Random(5);
        java.util.Random r2 = new java.util.Random(5);
        Latency l = Latency.of(Duration.ofSeconds(4), Duration.ofSeconds(2));
        List<Long> a = new ArrayList<>();
        List<Long> b = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            a.add(l.drawMillis(r1));
            b.add(l.drawMillis(r2));
        }
        assertThat(a).isEqualTo(b).allMatch(ms -> ms >= 2_000 && ms <= 6_000);
        assertThat(a.stream().distinct().count()).isGreaterThan(50);
    }

    // ---- fixtures ----

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
