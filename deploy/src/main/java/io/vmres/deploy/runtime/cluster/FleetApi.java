package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;

/**
 * What a chaos run asks of the fleet's process through its hypervisor endpoint: racks that lose
 * power, hosts repaired and their VMs moved back to them, how many HA VMs still wait for a restart,
 * and the final report.
 */
final class FleetApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    FleetApi(String base) {
        this.base = base;
    }

    JsonNode rackLoss(Collection<String> racks) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        racks.forEach(body.putArray("racks")::add);
        return post("/rack-loss", body);
    }

    void repair(Collection<String> hosts) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        hosts.forEach(body.putArray("hosts")::add);
        post("/repair", body);
    }

    /** Moves the VMs of the repaired hosts back to them: what moved, and what was left, why. */
    JsonNode failback(Collection<String> hosts) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        hosts.forEach(body.putArray("hosts")::add);
        return post("/failback", body);
    }

    long unrecovered() throws IOException, InterruptedException {
        return post("/unrecovered", JSON.createObjectNode()).path("unrecovered").asLong();
    }

    JsonNode report() throws IOException, InterruptedException {
        return post("/report", JSON.createObjectNode());
    }

    private JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(60))
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("fleet " + path + ": HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
