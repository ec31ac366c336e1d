package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.schema.PowerState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repair and failback asked of a running fleet: through its control folder and over HTTP. */
class FleetControlTest {
    private static final Duration T = Duration.ofSeconds(15);

    @TempDir Path dir;

    private static SimulatedFleet fleet() {
        return SimulatedFleet.builder()
                .hosts(20)
                .clusters(1)
                .hostsPerRack(5)
                .sparesPerCluster(2)
                .vmsPerHost(3)
                .nonHaFraction(0)
                .seed(11)
                .build();
    }

    /** Restarts every VM of the rack's hosts on hosts of other racks, one target after another. */
    private static void recover(SimulatedFleet fleet, String rack) throws Exception {
        SimulatedHypervisor hv = SimulatedHypervisor.instant(fleet);
        List<FleetHost> others =
                fleet.hosts().stream().filter(h -> !h.rack().equals(rack)).toList();
        int next = 0;
        for (FleetHost h : fleet.hosts()) {
            if (!h.rack().equals(rack)) {
                continue;
            }
            for (FleetVm v : fleet.vmsOn(h.host())) {
                boolean done = false;
                for (int i = 0; i < others.size() && !done; i++) {
                    String t = others.get((next + i) % others.size()).host();
                    String id = v.vm() + "-" + t;
                    hv.mapDisks(
                            new Request.MapDisks(
                                    "m-" + id, h.host(), t, List.of(v.vm()), v.disks()),
                            T);
                    done =
                            hv.restart(new Request.Restart("r-" + id, v.vm(), h.host(), t), T)
                                            .status()
                                    == Outcome.Status.SUCCEEDED;
                    next = (next + i + 1) % others.size();
                }
                assertThat(done).as(v.vm()).isTrue();
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the watch answers the requests while the block runs
    void aRackRepairedThenFailedBackHoldsItsVmsAgain() throws Exception {
        SimulatedFleet fleet = fleet();
        String rack = fleet.host("h01").orElseThrow().rack();
        List<String> before = vmsOfRack(fleet, rack);
        assertThat(before).isNotEmpty();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        try (FleetControl control = FleetControl.watch(fleet, dir, new PrintStream(said, true))) {
            assertThat(FleetControl.request(dir, FleetControl.Fault.RACK, rack, T))
                    .startsWith("rack " + rack + " lost power");
            recover(fleet, rack);
            assertThat(vmsOfRack(fleet, rack)).isEmpty();

            String repaired = FleetControl.request(dir, FleetControl.Fault.REPAIR, rack, T);
            assertThat(repaired).startsWith("repaired " + rack + ": 5 hosts (5 were down");
            assertThat(fleet.hosts())
                    .filteredOn(h -> h.rack().equals(rack))
                    .allMatch(h -> fleet.power(h.host()) == PowerState.on);
            assertThat(vmsOfRack(fleet, rack)).as("repaired, empty").isEmpty();

            String back = FleetControl.request(dir, FleetControl.Fault.FAILBACK, rack, T);

            assertThat(back)
                    .isEqualTo(
                            "failback to "
                                    + rack
                                    + ": "
                                    + before.size()
                                    + " VMs migrated back home, 0 already there (told again on"
                                    + " the inventory), 0 left where they run");
            assertThat(vmsOfRack(fleet, rack)).containsExactlyInAnyOrderElementsOf(before);
            assertThat(fleet.ledger().vmsOnTwoHostsAtOnce()).isZero();
            assertThatThrownBy(
                            () -> FleetControl.request(dir, FleetControl.Fault.FAILBACK, "r99", T))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no host or rack r99");
        }
    }

    @Test
    void theHypervisorEndpointFailsBackTheHostsItIsGiven() throws Exception {
        SimulatedFleet fleet = fleet();
        String rack = fleet.host("h01").orElseThrow().rack();
        List<String> before = vmsOfRack(fleet, rack);
        List<String> hosts =
                fleet.hosts().stream()
                        .filter(h -> h.rack().equals(rack))
                        .map(FleetHost::host)
                        .toList();
        fleet.rackPowerLoss(rack);
        recover(fleet, rack);
        hosts.forEach(fleet::repair);
        ObjectMapper json = new ObjectMapper();
        try (HypervisorEndpoint endpoint =
                HypervisorEndpoint.start(SimulatedHypervisor.instant(fleet), 0)) {
            String body =
                    json.writeValueAsString(
                            json.createObjectNode().set("hosts", json.valueToTree(hosts)));
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(endpoint.url() + "/failback"))
                                            .POST(HttpRequest.BodyPublishers.ofString(body))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());

            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode answer = json.readTree(r.body());
            List<String> moved = new ArrayList<>();
            answer.path("moved").forEach(v -> moved.add(v.asText()));
            assertThat(moved).containsExactlyInAnyOrderElementsOf(before);
            assertThat(answer.path("left").size()).isZero();
        }
        assertThat(vmsOfRack(fleet, rack)).containsExactlyInAnyOrderElementsOf(before);
    }

    private static List<String> vmsOfRack(SimulatedFleet fleet, String rack) {
        return fleet.vms().stream()
                .filter(v -> fleet.host(v.host()).orElseThrow().rack().equals(rack))
                .map(FleetVm::vm)
                .toList();
    }
}
