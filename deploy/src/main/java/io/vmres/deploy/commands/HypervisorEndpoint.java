package io.vmres.deploy.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.Ledger;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.schema.PowerState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated fleet's hypervisor served over HTTP on loopback, so that its connector can run as a
 * process of its own ({@code vmres fleet connector}) and be killed and restarted while the fleet,
 * like a real hypervisor, goes on: {@code POST /call} runs one request ({@link RemoteHypervisor} is
 * the client). A call whose caller went away still ends and takes effect. A call for a command id
 * that is already running here waits for that call and answers its outcome, never starting a second
 * one: a connector restarted while its predecessor's call is still running asks again in doubt, and
 * must get what that call did.
 *
 * <p>It also serves what a fault-injection run needs of the fleet: {@code POST /rack-loss} (racks
 * lose power), {@code POST /repair} (hosts back, empty), {@code POST /failback} (the VMs of
 * repaired hosts moved back to them), {@code GET /unrecovered} (HA VMs not running on a powered
 * host) and {@code GET /report} (the ledger, the VMs ever on two hosts at once, where every VM is).
 */
public final class HypervisorEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HypervisorEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimulatedHypervisor hypervisor;
    private final SimulatedFleet fleet;
    private final HttpServer server;
    private final ExecutorService workers;
    private final Map<String, CompletableFuture<Outcome>> running = new ConcurrentHashMap<>();

    private HypervisorEndpoint(SimulatedHypervisor hypervisor, int port) throws IOException {
        this.hypervisor = hypervisor;
        this.fleet = hypervisor.fleet();
        this.server =
                HttpServer.create(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        // one thread per call: calls block for seconds, as many as the connector runs at once
        this.workers = Executors.newCachedThreadPool();
        server.setExecutor(workers);
        server.createContext("/call", ex -> answer(ex, this::call));
        server.createContext("/rack-loss", ex -> answer(ex, this::rackLoss));
        server.createContext("/repair", ex -> answer(ex, this::repair));
        server.createContext("/failback", ex -> answer(ex, this::failback));
        server.createContext("/unrecovered", ex -> answer(ex, b -> unrecovered()));
        server.createContext("/report", ex -> answer(ex, b -> report()));
    }

    /** Serves {@code hypervisor} on 127.0.0.1:{@code port} (0: any free port). */
    public static HypervisorEndpoint start(SimulatedHypervisor hypervisor, int port)
            throws IOException {
        HypervisorEndpoint e = new HypervisorEndpoint(hypervisor, port);
        e.server.start();
        return e;
    }

    public String url() {
        return "http://"
                + server.getAddress().getAddress().getHostAddress()
                + ":"
                + server.getAddress().getPort();
    }

    @FunctionalInterface
    private interface Handler {
        JsonNode handle(JsonNode body) throws Exception;
    }

    private static void answer(HttpExchange ex, Handler handler) throws IOException {
        int status = 200;
        byte[] out;
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readAllBytes();
            JsonNode req = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            out = JSON.writeValueAsBytes(handler.handle(req));
        } catch (IllegalArgumentException | IOException e) {
            status = 400;
            out = JSON.writeValueAsBytes(JSON.createObjectNode().put("error", e.toString()));
        } catch (Exception e) {
            LOG.warn("hypervisor endpoint {}: {}", ex.getRequestURI(), e.toString(), e);
            status = 500;
            out = JSON.writeValueAsBytes(JSON.createObjectNode().put("error", e.toString()));
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(status, out.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(out);
            }
        } catch (IOException e) {
            // the caller went away (a killed connector): the call has taken effect all the same
            LOG.info("hypervisor endpoint: caller gone before the answer: {}", e.toString());
        } finally {
            ex.close();
        }
    }

    private JsonNode call(JsonNode body) throws Exception {
        String kind = body.path("call").asText();
        Request request = RemoteHypervisor.request(body.path("request"));
        Duration timeout = Duration.ofMillis(body.path("timeoutMs").asLong());
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> earlier = running.putIfAbsent(request.commandId(), mine);
        if (earlier != null) {
            // the same command is being called already: its outcome is this call's outcome
            // (a settle waits for the call it settles to end, and then settles)
            Outcome first = waitFor(earlier);
            if (!kind.equals("settle")) {
                return RemoteHypervisor.toJson(first);
            }
            return RemoteHypervisor.toJson(hypervisor.settle(request, timeout));
        }
        try {
            Outcome o =
                    switch (kind) {
                        case "run" -> hypervisor.run(request, timeout);
                        case "in-doubt" -> hypervisor.runInDoubt(request, timeout);
                        case "settle" -> hypervisor.settle(request, timeout);
                        default -> throw new IllegalArgumentException("unknown call " + kind);
                    };
            mine.complete(o);
            return RemoteHypervisor.toJson(o);
        } catch (Exception | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            running.remove(request.commandId(), mine);
        }
    }

    private static Outcome waitFor(CompletableFuture<Outcome> call) throws InterruptedException {
        try {
            return call.get();
        } catch (ExecutionException e) {
            return Outcome.failed("the earlier call of this command failed: " + e.getCause());
        }
    }

    /** Whether a call of this command id is running here now. */
    boolean running(String commandId) {
        return running.containsKey(commandId);
    }

    private JsonNode rackLoss(JsonNode body) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode hosts = out.putArray("hosts");
        ArrayNode vms = out.putArray("vms");
        for (JsonNode rack : body.path("racks")) {
            for (String h : fleet.rackPowerLoss(rack.asText())) {
                hosts.add(h);
            }
        }
        for (JsonNode h : hosts) {
            for (FleetVm v : fleet.vmsOn(h.asText())) {
                if (v.ha()) {
                    vms.add(v.vm());
                }
            }
        }
        return out;
    }

    private JsonNode repair(JsonNode body) {
        int n = 0;
        for (JsonNode h : body.path("hosts")) {
            fleet.repair(h.asText());
            n++;
        }
        return JSON.createObjectNode().put("repaired", n);
    }

    /**
     * Moves the VMs of each repaired host back to it ({@link SimulatedFleet#failback}): what moved,
     * what was published again, and what was left where it runs, with the reason.
     */
    private JsonNode failback(JsonNode body) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode moved = out.putArray("moved");
        ArrayNode republished = out.putArray("republished");
        ObjectNode left = out.putObject("left");
        for (JsonNode h : body.path("hosts")) {
            SimulatedFleet.Failback f = fleet.failback(h.asText());
            f.moved().forEach(moved::add);
            f.republished().forEach(republished::add);
            f.left().forEach(left::put);
        }
        return out;
    }

    /** HA VMs whose host is powered off: what a recovery has still to restart. */
    private JsonNode unrecovered() {
        long n = 0;
        for (FleetVm v : fleet.vms()) {
            if (v.ha() && fleet.power(v.host()) != PowerState.on) {
                n++;
            }
        }
        return JSON.createObjectNode().put("unrecovered", n);
    }

    private JsonNode report() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode hosts = out.putArray("hosts");
        // counted in one pass: asking the fleet host by host reads every VM for each host
        List<FleetVm> all = fleet.vms();
        Map<String, Integer> vmsOn = new HashMap<>();
        all.forEach(v -> vmsOn.merge(v.host(), 1, Integer::sum));
        for (FleetHost h : fleet.hosts()) {
            hosts.addObject()
                    .put("host", h.host())
                    .put("cluster", h.cluster())
                    .put("rack", h.rack())
                    .put("powerDomain", h.powerDomain())
                    .put("spare", h.spare())
                    .put("bmc", h.bmc())
                    .put("on", fleet.power(h.host()) == PowerState.on)
                    .put("vms", vmsOn.getOrDefault(h.host(), 0));
        }
        ArrayNode vms = out.putArray("vms");
        Ledger ledger = fleet.ledger();
        for (FleetVm v : all) {
            ArrayNode on = JSON.createArrayNode();
            ledger.hostsRunning(v.vm()).stream().sorted().forEach(on::add);
            vms.addObject()
                    .put("vm", v.vm())
                    .put("host", v.host())
                    .put("ha", v.ha())
                    .set("runningOn", on);
        }
        ArrayNode doubled = out.putArray("onTwoHostsAtOnce");
        ledger.vmsEverOnTwoHosts().stream().sorted().forEach(doubled::add);
        List<Ledger.Entry> entries = new ArrayList<>(ledger.entries());
        ArrayNode es = out.putArray("ledger");
        for (Ledger.Entry e : entries) {
            ObjectNode n =
                    es.addObject()
                            .put("commandId", e.commandId())
                            .put("action", e.action().name())
                            .put("host", e.host())
                            .put("target", e.target())
                            .put("vm", e.vm())
                            .put("status", e.status().name())
                            .put("detail", e.detail())
                            .put("started", e.started().toEpochMilli())
                            .put("finished", e.finished().toEpochMilli());
            e.vms().forEach(n.putArray("vms")::add);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
