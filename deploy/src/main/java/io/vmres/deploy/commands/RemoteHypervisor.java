package io.vmres.deploy.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.connector.runtime.HypervisorConnector;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.runtime.TransientException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The connector's side of a {@link HypervisorEndpoint}: each call of the connector service is one
 * {@code POST /call} to the fleet's process. A fleet that does not answer is a transient error (the
 * call changed nothing); an interrupted call (the service's watchdog) leaves the fleet to finish
 * it, as a hypervisor would.
 */
public final class RemoteHypervisor implements HypervisorConnector {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI call;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public RemoteHypervisor(String url) {
        this.call = URI.create(url.replaceAll("/+$", "") + "/call");
    }

    @Override
    public Outcome fence(Request.Fence request, Duration timeout) throws InterruptedException {
        return send("run", request, timeout);
    }

    @Override
    public Outcome mapDisks(Request.MapDisks request, Duration timeout)
            throws InterruptedException {
        return send("run", request, timeout);
    }

    @Override
    public Outcome restart(Request.Restart request, Duration timeout) throws InterruptedException {
        return send("run", request, timeout);
    }

    @Override
    public Outcome migrate(Request.Migrate request, Duration timeout) throws InterruptedException {
        return send("run", request, timeout);
    }

    @Override
    public Outcome runInDoubt(Request request, Duration timeout) throws InterruptedException {
        return send("in-doubt", request, timeout);
    }

    @Override
    public Outcome settle(Request request, Duration timeout) throws InterruptedException {
        return send("settle", request, timeout);
    }

    private Outcome send(String kind, Request request, Duration timeout)
            throws InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("call", kind);
        body.put("timeoutMs", Math.max(0, timeout.toMillis()));
        body.set("request", toJson(request));
        HttpResponse<String> r;
        try {
            r =
                    http.send(
                            HttpRequest.newBuilder(call)
                                    // the fleet answers within the call's timeout; a minute more
                                    // for a loaded machine before the call counts as lost
                                    .timeout(timeout.plusMinutes(1))
                                    .header("Content-Type", "application/json")
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    JSON.writeValueAsString(body)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (java.net.ConnectException e) {
            // nothing reached the fleet: nothing changed
            throw new TransientException("the fleet at " + call + " does not answer", e);
        } catch (IOException e) {
            return Outcome.failed("the fleet's answer was lost: " + e);
        }
        try {
            JsonNode n = JSON.readTree(r.body());
            if (r.statusCode() != 200) {
                return Outcome.failed("the fleet refused the call: " + n.path("error").asText());
            }
            return new Outcome(
                    Outcome.Status.valueOf(n.path("status").asText()),
                    n.path("detail").isNull() ? null : n.path("detail").asText(null));
        } catch (IOException | IllegalArgumentException e) {
            return Outcome.failed("the fleet answered what is no outcome: " + r.body());
        }
    }

    static JsonNode toJson(Outcome o) {
        return JSON.createObjectNode().put("status", o.status().name()).put("detail", o.detail());
    }

    static JsonNode toJson(Request request) {
        ObjectNode n = JSON.createObjectNode().put("commandId", request.commandId());
        if (request instanceof Request.Fence f) {
            n.put("kind", "fence").put("host", f.host());
        } else if (request instanceof Request.MapDisks m) {
            n.put("kind", "map").put("host", m.host()).put("target", m.target());
            m.vms().forEach(n.putArray("vms")::add);
            m.disks().forEach(n.putArray("disks")::add);
        } else if (request instanceof Request.Restart r) {
            n.put("kind", "restart").put("host", r.host()).put("target", r.target());
            n.put("vm", r.vm());
        } else if (request instanceof Request.Migrate m) {
            n.put("kind", "migrate").put("host", m.host()).put("target", m.target());
            n.put("vm", m.vm());
        }
        return n;
    }

    static Request request(JsonNode n) {
        String id = n.path("commandId").asText();
        String host = n.path("host").asText();
        String target = n.path("target").asText(null);
        String vm = n.path("vm").asText(null);
        return switch (n.path("kind").asText()) {
            case "fence" -> new Request.Fence(id, host);
            case "map" -> new Request.MapDisks(id, host, target, list(n, "vms"), list(n, "disks"));
            case "restart" -> new Request.Restart(id, vm, host, target);
            case "migrate" -> new Request.Migrate(id, vm, host, target);
            default -> throw new IllegalArgumentException("not a request: " + n);
        };
    }

    private static List<String> list(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        n.path(field).forEach(x -> out.add(x.asText()));
        return out;
    }
}
