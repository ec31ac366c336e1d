package io.vmres.connector.power;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A rack PDU's Redfish service, for tests and trials of the power-domain connector: the DMTF {@code
 * PowerDistribution} resources of one or more PDUs ({@code /redfish/v1/PowerEquipment/RackPDUs/ID},
 * one mains circuit {@code AC1}, outlets {@code A1..An} with their voltage and power readings),
 * behind HTTP basic authentication, on loopback. It runs as a process of its own ({@link #start});
 * each PDU is switched by a line on its standard input:
 *
 * <ul>
 *   <li>{@code ID on}: powered, every outlet on at 230 V;
 *   <li>{@code ID off}: the PDU switched every outlet off ({@code PowerState Off});
 *   <li>{@code ID mains-lost}: the mains circuit reads 0 V, the outlets stay switched on at 0 V;
 *   <li>{@code ID outlet-off A3} / {@code ID outlet-on A3}: one outlet switched;
 *   <li>{@code ID hang}: it accepts connections and never answers;
 *   <li>{@code ID garbage}: it answers 200 with a body that is no JSON;
 *   <li>{@code ID huge}: it answers a PDU resource of several megabytes.
 * </ul>
 *
 * Each line is answered {@code ok} on standard output once it applies.
 */
public final class RedfishPduSimulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOT = "/redfish/v1/PowerEquipment/RackPDUs/";

    private final Process process;
    private final BufferedReader out;
    private final BufferedWriter in;
    private final int port;

    private RedfishPduSimulator(Process process, BufferedReader out, BufferedWriter in, int port) {
        this.process = process;
        this.out = out;
        this.in = in;
        this.port = port;
    }

    /**
     * Starts the simulator as a process of its own (this JVM's java and class path), serving the
     * PDUs {@code ids} with {@code outlets} outlets each, all powered, and waits until it listens.
     * The password goes to it in a file, never on its command line.
     */
    public static RedfishPduSimulator start(
            Path dir, String user, String password, int outlets, String... ids) throws IOException {
        Path secret = dir.resolve("redfish-password");
        Files.writeString(secret, password);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>();
        cmd.addAll(
                List.of(
                        java,
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        RedfishPduSimulator.class.getName(),
                        user,
                        secret.toString(),
                        Integer.toString(outlets)));
        cmd.addAll(List.of(ids));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectError(dir.resolve("redfish-pdu.log").toFile())
                        .start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter in =
                new BufferedWriter(
                        new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        if (first == null || !first.startsWith("listening ")) {
            p.destroyForcibly();
            throw new IOException(
                    "the Redfish PDU simulator did not start: "
                            + first
                            + " "
                            + Files.readString(dir.resolve("redfish-pdu.log")));
        }
        return new RedfishPduSimulator(p, out, in, Integer.parseInt(first.substring(10).trim()));
    }

    /** The port it listens on, at 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The URL of a PDU's resource. */
    public String url(String id) {
        return "http://127.0.0.1:" + port + ROOT + id;
    }

    /** The process's id (to stop or kill it from outside). */
    public long pid() {
        return process.pid();
    }

    /**
     * Switches a PDU ({@code off}, {@code hang}, ... as in the class comment); waits until done.
     */
    public synchronized void set(String id, String... what) throws IOException {
        in.write(id + " " + String.join(" ", what) + "\n");
        in.flush();
        String ack = out.readLine();
        if (!"ok".equals(ack)) {
            throw new IOException(
                    "the simulator answered " + ack + " to " + id + " " + List.of(what));
        }
    }

    @Override
    public void close() {
        SimulatorProcess.stop(process);
    }

    // ---- the simulator process ----

    /** The state of one simulated PDU. Guarded by its own lock. */
    private static final class Pdu {
        String mode = "on"; // on, off, mains-lost, hang, garbage, huge
        final Map<String, Boolean> outlets = new LinkedHashMap<>();
    }

    /** {@code USER PASSWORD_FILE OUTLETS ID...}: serves until its standard input closes. */
    public static void main(String[] args) throws Exception {
        String user = args[0];
        String password = Files.readString(Path.of(args[1])).strip();
        int outlets = Integer.parseInt(args[2]);
        Map<String, Pdu> pdus = new ConcurrentHashMap<>();
        for (int i = 3; i < args.length; i++) {
            Pdu p = new Pdu();
            for (int o = 1; o <= outlets; o++) {
                p.outlets.put("A" + o, true);
            }
            pdus.put(args[i], p);
        }
        String expected =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        ExecutorService pool = Executors.newCachedThreadPool();
        server.setExecutor(pool);
        server.createContext("/", ex -> serve(ex, pdus, expected));
        server.start();
        PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        stdout.println("listening " + server.getAddress().getPort());
        BufferedReader stdin =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = stdin.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            Pdu p = w.length >= 2 ? pdus.get(w[0]) : null;
            if (p == null) {
                stdout.println("unknown pdu in: " + line);
                continue;
            }
            synchronized (p) {
                switch (w[1]) {
                    case "on" -> {
                        p.mode = "on";
                        p.outlets.replaceAll((k, v) -> true);
                    }
                    case "off", "mains-lost", "hang", "garbage", "huge" -> p.mode = w[1];
                    case "outlet-on", "outlet-off" -> p.outlets.put(w[2], w[1].equals("outlet-on"));
                    default -> {
                        stdout.println("unknown state in: " + line);
                        continue;
                    }
                }
            }
            stdout.println("ok");
        }
        server.stop(0);
        pool.shutdownNow();
    }

    private static void serve(HttpExchange ex, Map<String, Pdu> pdus, String expected)
            throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!path.startsWith(ROOT)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            String[] parts = path.substring(ROOT.length()).split("/");
            Pdu pdu = pdus.get(parts[0]);
            if (pdu == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            String mode;
            ObjectNode body;
            synchronized (pdu) {
                mode = pdu.mode;
                body = resource(parts, pdu, ROOT + parts[0]);
            }
            switch (mode) {
                case "hang" -> {
                    try {
                        Thread.sleep(600_000); // never answers while the test lasts
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return;
                }
                case "garbage" -> {
                    send(ex, 200, "<html>PDU busy</html>".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                case "huge" -> {
                    if (body != null) {
                        body.put("Padding", "x".repeat(4 << 20));
                    }
                }
                default -> {}
            }
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            send(ex, 200, JSON.writeValueAsBytes(body));
        }
    }

    /** The resource at {@code parts} (after the PDU's root), or null for none. */
    private static ObjectNode resource(String[] parts, Pdu pdu, String base) {
        boolean cut = pdu.mode.equals("off");
        boolean mainsLost = pdu.mode.equals("mains-lost");
        double volts = mainsLost ? 0 : 230.0;
        if (parts.length == 1) {
            ObjectNode n = node(base, "#PowerDistribution.v1_3_0.PowerDistribution");
            n.put("Id", parts[0]).put("Name", "Rack PDU " + parts[0]);
            n.put("EquipmentType", "RackPDU").put("PowerState", cut ? "Off" : "On");
            n.putObject("Status")
                    .put("State", "Enabled")
                    .put("Health", mainsLost ? "Critical" : "OK");
            n.putObject("Mains").put("@odata.id", base + "/Mains");
            n.putObject("Outlets").put("@odata.id", base + "/Outlets");
            return n;
        }
        if (parts.length == 2 && (parts[1].equals("Mains") || parts[1].equals("Outlets"))) {
            ObjectNode n =
                    node(
                            base + "/" + parts[1],
                            parts[1].equals("Mains")
                                    ? "#CircuitCollection.CircuitCollection"
                                    : "#OutletCollection.OutletCollection");
            ArrayNode members = n.putArray("Members");
            List<String> ids =
                    parts[1].equals("Mains")
                            ? List.of("AC1")
                            : new ArrayList<>(pdu.outlets.keySet());
            ids.forEach(
                    id -> members.addObject().put("@odata.id", base + "/" + parts[1] + "/" + id));
            n.put("Members@odata.count", ids.size());
            return n;
        }
        if (parts.length == 3 && parts[1].equals("Mains") && parts[2].equals("AC1")) {
            ObjectNode n =
                    circuit(base + "/Mains/AC1", "#Circuit.v1_7_0.Circuit", "AC1", "On", volts);
            n.putObject("PowerWatts").put("Reading", mainsLost ? 0 : 1850.0);
            return n;
        }
        if (parts.length == 3 && parts[1].equals("Outlets") && pdu.outlets.containsKey(parts[2])) {
            boolean on = !cut && pdu.outlets.get(parts[2]);
            ObjectNode n =
                    circuit(
                            base + "/Outlets/" + parts[2],
                            "#Outlet.v1_4_0.Outlet",
                            parts[2],
                            on ? "On" : "Off",
                            on ? volts : 0);
            n.putObject("PowerWatts").put("Reading", on && !mainsLost ? 230.0 : 0);
            return n;
        }
        return null;
    }

    private static ObjectNode circuit(
            String id, String type, String name, String state, double volts) {
        ObjectNode n = node(id, type);
        n.put("Id", name).put("Name", name).put("PowerState", state);
        n.putObject("Voltage").put("Reading", volts);
        return n;
    }

    private static ObjectNode node(String id, String type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("@odata.id", id).put("@odata.type", type);
        return n;
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
        }
    }
}
