package io.vmres.connector.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Topics;
import io.vmres.schema.Vm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** A repaired host's VMs moved back to it: one copy each, on the inventory, never twice. */
class FailbackTest {
    private static final Duration T = Duration.ofSeconds(5);
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final AvroCodec codec = new AvroCodec();

    private static SimulatedFleet fleet() {
        return SimulatedFleet.builder()
                .hosts(20)
                .clusters(1)
                .hostsPerRack(5)
                .sparesPerCluster(2)
                .vmsPerHost(4)
                .nonHaFraction(0.2)
                .seed(3)
                .build();
    }

    /** Fences the host and restarts each of its HA VMs on another host, as a recovery does. */
    private static Map<String, String> recover(
            SimulatedFleet fleet, SimulatedHypervisor hv, String host) throws Exception {
        assertThat(hv.fence(new Request.Fence("f-" + host, host), T).status())
                .isEqualTo(Outcome.Status.SUCCEEDED);
        Map<String, String> target = new java.util.LinkedHashMap<>();
        String rack = fleet.host(host).orElseThrow().rack();
        List<FleetHost> others =
                fleet.hosts().stream().filter(t -> !t.rack().equals(rack)).toList();
        int next = 0; // spread over the other racks' hosts, one VM on each in turn
        for (FleetVm v : fleet.vmsOn(host)) {
            if (!v.ha()) {
                continue;
            }
            for (int i = 0; i < others.size() && !target.containsKey(v.vm()); i++) {
                String t = others.get((next + i) % others.size()).host();
                hv.mapDisks(
                        new Request.MapDisks(
                                "m-" + v.vm() + t, host, t, List.of(v.vm()), v.disks()),
                        T);
                Outcome o = hv.restart(new Request.Restart("r-" + v.vm() + t, v.vm(), host, t), T);
                if (o.status() == Outcome.Status.SUCCEEDED) {
                    target.put(v.vm(), t);
                    next = (next + i + 1) % others.size();
                }
            }
        }
        return target;
    }

    private List<Vm> vmRecords() throws Exception {
        List<Vm> out = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            if (r.topic().equals(Topics.INVENTORY) && codec.decode(r.value()) instanceof Vm vm) {
                assertThat(new String(r.key(), StandardCharsets.UTF_8))
                        .as("a vm record is keyed by the host it runs on")
                        .isEqualTo(vm.getHost());
                out.add(vm);
            }
        }
        return out;
    }

    @Test
    void failbackMovesTheRepairedHostsVmsBackOnceEachAndTellsTheInventory() throws Exception {
        SimulatedFleet fleet = fleet();
        SimulatedHypervisor hv = SimulatedHypervisor.instant(fleet);
        fleet.telemetry(producer); // not started: only the fleet's own changes go out
        String host = "h03";
        List<FleetVm> before = fleet.vmsOn(host);
        Set<String> ha =
                before.stream().filter(FleetVm::ha).map(FleetVm::vm).collect(Collectors.toSet());
        Set<String> nonHa =
                before.stream().filter(v -> !v.ha()).map(FleetVm::vm).collect(Collectors.toSet());
        assertThat(ha).isNotEmpty();
        assertThat(nonHa).isNotEmpty();

        Map<String, String> restartedOn = recover(fleet, hv, host);
        assertThat(restartedOn.keySet()).isEqualTo(ha);
        // down, its VMs cannot come back yet
        SimulatedFleet.Failback early = fleet.failback(host);
        assertThat(early.moved()).isEmpty();
        assertThat(early.left().keySet()).containsExactlyInAnyOrderElementsOf(vmIds(before));
        assertThat(early.left().values()).allMatch(r -> r.contains("down"));

        fleet.repair(host);
        producer.clear();
        SimulatedFleet.Failback back = fleet.failback(host);

        assertThat(back.moved()).containsExactlyInAnyOrderElementsOf(ha);
        assertThat(back.republished()).containsExactlyInAnyOrderElementsOf(nonHa);
        assertThat(back.left()).isEmpty();
        assertThat(vmIds(fleet.vmsOn(host))).containsExactlyInAnyOrderElementsOf(vmIds(before));
        for (FleetVm v : before) {
            assertThat(fleet.ledger().hostsRunning(v.vm())).as(v.vm()).containsExactly(host);
            assertThat(fleet.home(v.vm())).contains(host);
        }
        // the inventory places each VM on its home host, every one once
        assertThat(vmRecords()).extracting(Vm::getHost).containsOnly(host);
        assertThat(vmRecords())
                .extracting(Vm::getVm)
                .containsExactlyInAnyOrderElementsOf(vmIds(before));
        assertThat(fleet.ledger().vmsOnTwoHostsAtOnce()).isZero();
        assertThat(fleet.ledger().repeatedCommands()).isEmpty();

        // the same host fails again: the very same VMs are on it
        assertThat(fleet.rackPowerLoss(fleet.host(host).orElseThrow().rack())).contains(host);
        assertThat(vmIds(fleet.vmsOn(host))).containsExactlyInAnyOrderElementsOf(vmIds(before));

        // nothing left to move: a second failback moves nothing
        fleet.repair(host);
        SimulatedFleet.Failback again = fleet.failback(host);
        assertThat(again.moved()).isEmpty();
        assertThat(again.republished()).containsExactlyInAnyOrderElementsOf(vmIds(before));
    }

    @Test
    void aVmWhoseCurrentHostIsDownOrWithASecondCopyStaysWhereItIs() throws Exception {
        SimulatedFleet fleet = fleet();
        SimulatedHypervisor hv = SimulatedHypervisor.instant(fleet);
        String host = "h03";
        Map<String, String> restartedOn = recover(fleet, hv, host);
        fleet.repair(host);
        List<String> vms = new ArrayList<>(restartedOn.keySet());
        String onDownHost = vms.get(0);
        String elsewhere = restartedOn.get(onDownHost);
        fleet.crash(elsewhere);
        Set<String> stranded =
                fleet.vmsOn(elsewhere).stream().map(FleetVm::vm).collect(Collectors.toSet());

        SimulatedFleet.Failback back = fleet.failback(host);

        assertThat(back.left()).containsKey(onDownHost);
        assertThat(back.left().get(onDownHost)).contains(elsewhere).contains("down");
        assertThat(fleet.vm(onDownHost).orElseThrow().host()).isEqualTo(elsewhere);
        // its recovery is the job's: a down host's VMs are restarted, never migrated
        Set<String> moved = new HashSet<>(back.moved());
        assertThat(moved).doesNotContainAnyElementsOf(stranded);
        assertThat(moved).isNotEmpty();
        assertThat(fleet.ledger().vmsOnTwoHostsAtOnce()).isZero();
    }

    @Test
    void failbackNeedsRoomOnTheHomeHostAndAKnownHost() throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(6)
                        .clusters(1)
                        .hostsPerRack(2)
                        .sparesPerCluster(1)
                        .vmsPerHost(2)
                        .nonHaFraction(0)
                        .hostCapacity(8, 32_768)
                        .vmSizes(List.of(new double[] {4, 8_192}))
                        .antiAffinityGroups(0, 2)
                        .seed(5)
                        .build();
        SimulatedHypervisor hv = SimulatedHypervisor.instant(fleet);
        String host = "h01";
        List<FleetVm> before = fleet.vmsOn(host);
        assertThat(before).hasSize(2);
        Map<String, String> restartedOn = recover(fleet, hv, host);
        assertThat(restartedOn).hasSize(2);
        fleet.repair(host);
        // another VM takes half the home host's room meanwhile: one of the two fits back
        FleetVm squatter =
                fleet.vms().stream()
                        .filter(v -> !v.host().equals(host) && !before.contains(v))
                        .filter(v -> !restartedOn.containsKey(v.vm()))
                        .filter(v -> fleet.power(v.host()) == io.vmres.schema.PowerState.on)
                        .filter(
                                v ->
                                        fleet.host(host)
                                                .orElseThrow()
                                                .storageDomains()
                                                .contains(v.storageDomain()))
                        .findFirst()
                        .orElseThrow();
        assertThat(
                        hv.migrate(
                                        new Request.Migrate(
                                                "mig", squatter.vm(), squatter.host(), host),
                                        T)
                                .status())
                .isEqualTo(Outcome.Status.SUCCEEDED);

        SimulatedFleet.Failback back = fleet.failback(host);

        assertThat(back.moved()).hasSize(1);
        assertThat(back.left()).hasSize(1);
        assertThat(back.left().values()).allMatch(r -> r.contains("lacks capacity"));
        SimulatedFleet.Usage used = fleet.used(host);
        assertThat(used.cpu()).isLessThanOrEqualTo(8);
        assertThat(fleet.ledger().vmsOnTwoHostsAtOnce()).isZero();
        assertThatThrownBy(() -> fleet.failback("no-such-host"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> vmIds(List<FleetVm> vms) {
        return vms.stream().map(FleetVm::vm).toList();
    }
}
