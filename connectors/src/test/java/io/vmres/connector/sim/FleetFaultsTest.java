package io.vmres.connector.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.schema.Action;
import io.vmres.schema.Channel;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet's failure injection, latency distributions and durable ledger. */
class FleetFaultsTest {
    private static final Duration T = Duration.ofSeconds(5);
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

    @TempDir Path dir;

    private static SimulatedFleet fleet() {
        return SimulatedFleet.builder()
                .hosts(40)
                .clusters(1)
                .hostsPerRack(10)
                .sparesPerCluster(1)
                .build();
    }

    @Test
    void rackPowerLossTakesDownEveryHostOfTheRackAndNoOther() {
        SimulatedFleet fleet = fleet();
        String rack = fleet.host("h01").orElseThrow().rack();
        List<String> inRack =
                fleet.hosts().stream()
                        .filter(h -> h.rack().equals(rack))
                        .map(FleetHost::host)
                        .toList();

        List<String> down = fleet.rackPowerLoss(rack);

        assertThat(down).containsExactlyInAnyOrderElementsOf(inRack).hasSize(10);
        for (FleetHost h : fleet.hosts()) {
            assertThat(fleet.power(h.host()))
                    .as(h.host())
                    .isEqualTo(inRack.contains(h.host()) ? PowerState.off : PowerState.on);
        }
        assertThatThrownBy(() -> fleet.rackPowerLoss("no-such-rack"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRackBlackoutTakesItsBmcsDownSoThatNoFenceSucceedsUntilRepaired() throws Exception {
        SimulatedFleet fleet = fleet();
        SimulatedHypervisor hv = SimulatedHypervisor.instant(fleet);
        String rack = fleet.host("h01").orElseThrow().rack();

        List<String> down = fleet.rackBlackout(rack);

        assertThat(down).contains("h01").hasSize(10);
        for (FleetHost h : fleet.hosts()) {
            boolean out = down.contains(h.host());
            assertThat(fleet.power(h.host()))
                    .as(h.host())
                    .isEqualTo(out ? PowerState.unknown : PowerState.on);
            assertThat(fleet.beats(h.host(), Channel.mgmt)).as(h.host()).isEqualTo(!out);
        }
        Outcome fence = hv.fence(new Request.Fence("f1", "h01"), T);
        assertThat(fence.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(fence.detail()).isEqualTo("BMC of h01 unreachable");

        fleet.repair("h01");
        assertThat(fleet.power("h01")).isEqualTo(PowerState.on);
        assertThat(hv.fence(new Request.Fence("f2", "h01"), T).isSuccess()).isTrue();
    }

    @Test
    void telemetryOutageSilencesEveryHostUntilItEnds() {
        SimulatedFleet fleet = fleet();
        TelemetryPublisher telemetry = fleet.telemetry(producer);
        telemetry.tick();
        producer.clear();

        fleet.telemetryOutage(true);
        telemetry.tick();
        telemetry.tick();
        assertThat(producer.history()).isEmpty();
        assertThat(fleet.power("h05")).isEqualTo(PowerState.on);

        fleet.telemetryOutage(false);
        telemetry.tick();
        assertThat(producer.history()).anyMatch(r -> r.topic().equals(Topics.HEARTBEAT));
    }

    @Test
    void slowRestartsTimeOutAndChangeNothingThenRestartsAreFastAgain() throws Exception {
        SimulatedFleet fleet = fleet();
        SimulatedHypervisor hv = SimulatedHypervisor.instant(fleet);
        hv.slowNext(Action.FENCE_HOST, 1, Duration.ofSeconds(30));

        Outcome slow = hv.fence(new Request.Fence("f1", "h02"), Duration.ofMillis(50));
        assertThat(slow.status()).isEqualTo(Outcome.Status.TIMED_OUT);
        assertThat(fleet.power("h02")).isEqualTo(PowerState.on);

        assertThat(hv.fence(new Request.Fence("f2", "h02"), T).isSuccess()).isTrue();
        assertThat(fleet.power("h02")).isEqualTo(PowerState.off);
    }

    @Test
    void logNormalLatencyClustersAroundItsMedianWithALongTail() {
        Latency l = Latency.logNormal(Duration.ofMillis(1000), 0.5);
        Random random = new Random(11);
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ms.add(l.drawMillis(random));
        }
        Collections.sort(ms);
        long median = ms.get(ms.size() / 2);
        long p95 = ms.get(ms.size() * 95 / 100);
        assertThat(median).isBetween(950L, 1050L);
        // e^(1.645 * 0.5) = 2.28 times the median.
        assertThat(p95).isBetween(2100L, 2450L);
        assertThat(ms.get(0)).isGreaterThanOrEqualTo(0);
        assertThatThrownBy(() -> Latency.logNormal(Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ledgerFileOutlivesTheFleetAndAnswersCommandsInDoubt() throws Exception {
        Path file = dir.resolve("ledger.jsonl");
        SimulatedFleet first =
                SimulatedFleet.builder().hosts(10).clusters(1).ledgerFile(file).build();
        SimulatedHypervisor hv1 = SimulatedHypervisor.instant(first);
        hv1.fence(new Request.Fence("f1", "h03"), T);
        hv1.mapDisks(new Request.MapDisks("m1", "h03", "h04", List.of("vm1"), List.of("d1")), T);
        assertThat(Ledger.read(file))
                .extracting(Ledger.Entry::commandId)
                .containsExactly("f1", "m1");

        // A new process: a fleet on the same file starts from it.
        SimulatedFleet second =
                SimulatedFleet.builder().hosts(10).clusters(1).ledgerFile(file).build();
        SimulatedHypervisor hv2 = SimulatedHypervisor.instant(second);
        assertThat(second.ledger().size()).isEqualTo(2);

        Outcome known = hv2.runInDoubt(new Request.Fence("f1", "h03"), T);
        assertThat(known.isSuccess()).isTrue();
        assertThat(known.detail()).startsWith("ran before a connector restart");
        Outcome unknown = hv2.runInDoubt(new Request.Fence("f2", "h05"), T);
        assertThat(unknown.isSuccess()).isTrue();

        assertThat(second.ledger().repeatedCommands()).isEmpty();
        assertThat(Ledger.read(file))
                .extracting(Ledger.Entry::commandId)
                .containsExactly("f1", "m1", "f2");
        // A line torn by a kill is skipped.
        Files.writeString(file, "{\"commandId\":\"x", java.nio.file.StandardOpenOption.APPEND);
        assertThat(Ledger.read(file)).hasSize(3);
    }
}
