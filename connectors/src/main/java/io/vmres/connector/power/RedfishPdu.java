package io.vmres.connector.power;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.schema.PowerState;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Reads a rack PDU through its Redfish service: the DMTF {@code PowerDistribution} resource ({@code
 * /redfish/v1/PowerEquipment/RackPDUs/{id}}), its {@code Mains} circuits and its {@code Outlets},
 * with HTTP basic authentication. The device reads {@code off} when the PDU's {@code PowerState} is
 * {@code Off} or every mains circuit is dead; an outlet reads {@code off} when its {@code
 * PowerState} is {@code Off} or its measured voltage is below {@code minVolts}. A power reading in
 * watts proves nothing (a powered server may draw nothing), so it is not used for the state. Any
 * error, timeout, non-200 answer, body over the size limit or unexpected value is {@code unknown}.
 */
public final class RedfishPdu implements PduReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MEMBERS = 512;

    private final URI resource;
    private final String authorization;
    private final HttpClient client;
    private final int maxBytes;
    private final double minVolts;

    /**
     * @param resource the PDU's resource, {@code https://pdu/redfish/v1/PowerEquipment/RackPDUs/1}
     * @param user the Redfish user, or null for none
     * @param password its password
     * @param ssl the TLS context for {@code https} (null: the JDK's default trust)
     * @param maxBytes the largest response body accepted
     * @param minVolts a voltage reading below this is no power
     */
    public RedfishPdu(
            URI resource,
            String user,
            String password,
            SSLContext ssl,
            Duration connectTimeout,
            int maxBytes,
            double minVolts) {
        if (!"http".equals(resource.getScheme()) && !"https".equals(resource.getScheme())) {
            throw new IllegalArgumentException(resource + " is not an http(s) URL");
        }
        this.resource = resource;
        this.authorization =
                user == null
                        ? null
                        : "Basic "
                                + Base64.getEncoder()
                                        .encodeToString(
                                                (user + ":" + password)
                                                        .getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder b =
                HttpClient.newBuilder()
                        .connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .version(HttpClient.Version.HTTP_1_1);
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.client = b.build();
        this.maxBytes = maxBytes;
        this.minVolts = minVolts;
    }

    /** A TLS context that trusts the certificates of a PEM file (a PDU's own CA). */
    public static SSLContext trusting(Path pemFile) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pemFile)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
        }
        TrustManagerFactory tmf =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Override
    public boolean hasOutlets() {
        return true;
    }

    @Override
    public PduReading read(Set<String> outlets, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            JsonNode pdu = get(resource, deadline);
            String ps = pdu.path("PowerState").asText("");
            if (ps.equals("Off")) {
                return new PduReading(PowerState.off, Map.of(), "PDU PowerState Off");
            }
            PowerState mains = PowerState.unknown;
            String mainsLink = link(pdu, "Mains");
            if (mainsLink != null) {
                mains = mains(mainsLink, deadline);
                if (mains == PowerState.off) {
                    return new PduReading(PowerState.off, Map.of(), "every mains circuit dead");
                }
            }
            PowerState device =
                    ps.equals("On") && (mainsLink == null || mains == PowerState.on)
                            ? PowerState.on
                            : mains;
            Map<String, PowerState> states = new TreeMap<>();
            String outletsLink = link(pdu, "Outlets");
            if (outletsLink != null) {
                readOutlets(outletsLink, outlets, deadline, states);
            } else {
                outlets.forEach(o -> states.put(o, PowerState.unknown));
            }
            return new PduReading(device, states, "PowerState " + ps + ", mains " + mains);
        } catch (IOException | RuntimeException e) {
            return PduReading.unknown(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** {@code off} when every circuit is dead, {@code on} when one is live, else unknown. */
    private PowerState mains(String link, long deadline) throws IOException, InterruptedException {
        List<PowerState> states = new ArrayList<>();
        for (String member : members(get(resolve(link), deadline))) {
            states.add(circuit(get(resolve(member), deadline), minVolts));
        }
        return PowerDomainRule.all(states);
    }

    private void readOutlets(
            String link, Set<String> wanted, long deadline, Map<String, PowerState> out)
            throws IOException, InterruptedException {
        List<String> paths = new ArrayList<>();
        if (wanted.isEmpty()) {
            paths.addAll(members(get(resolve(link), deadline)));
        } else {
            String base = link.endsWith("/") ? link : link + "/";
            wanted.forEach(id -> paths.add(base + id));
        }
        for (String path : paths) {
            String id = path.substring(path.replaceAll("/+$", "").lastIndexOf('/') + 1);
            try {
                JsonNode outlet = get(resolve(path), deadline);
                out.put(
                        wanted.isEmpty() ? outlet.path("Id").asText(id) : id,
                        circuit(outlet, minVolts));
            } catch (IOException e) {
                out.put(id, PowerState.unknown); // one outlet that does not answer proves nothing
            }
        }
    }

    /**
     * The state of a circuit or outlet: {@code off} when its {@code PowerState} is {@code Off} (and
     * no voltage contradicts it) or its voltage reading is below {@code minVolts}; {@code on} when
     * it is {@code On} with no voltage reading or a voltage at or above {@code minVolts}; otherwise
     * unknown.
     */
    static PowerState circuit(JsonNode node, double minVolts) {
        String ps = node.path("PowerState").asText("");
        JsonNode reading = node.path("Voltage").path("Reading");
        Boolean volts = reading.isNumber() ? reading.asDouble() >= minVolts : null;
        if (ps.equals("Off")) {
            return Boolean.TRUE.equals(volts) ? PowerState.unknown : PowerState.off;
        }
        if (volts != null) {
            return volts ? PowerState.on : PowerState.off;
        }
        return ps.equals("On") ? PowerState.on : PowerState.unknown;
    }

    private static List<String> members(JsonNode collection) throws IOException {
        JsonNode m = collection.path("Members");
        if (!m.isArray()) {
            throw new IOException("a collection without Members");
        }
        if (m.size() > MAX_MEMBERS) {
            throw new IOException("a collection of more than " + MAX_MEMBERS + " members");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : m) {
            String id = e.path("@odata.id").asText("");
            if (id.isEmpty()) {
                throw new IOException("a member without @odata.id");
            }
            out.add(id);
        }
        return out;
    }

    private static String link(JsonNode node, String field) {
        String s = node.path(field).path("@odata.id").asText("");
        return s.isEmpty() ? null : s;
    }

    /** A link of the PDU, on the PDU's own host only (a link elsewhere is not followed). */
    private URI resolve(String path) throws IOException {
        URI u = resource.resolve(path);
        if (!u.getScheme().equals(resource.getScheme())
                || !String.valueOf(u.getAuthority()).equals(resource.getAuthority())) {
            throw new IOException("link " + path + " leaves the PDU");
        }
        return u;
    }

    private JsonNode get(URI uri, long deadline) throws IOException, InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IOException("no answer within the timeout");
        }
        HttpRequest.Builder r =
                HttpRequest.newBuilder(uri)
                        .GET()
                        .timeout(Duration.ofNanos(left))
                        .header("Accept", "application/json")
                        .header("OData-Version", "4.0");
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        CompletableFuture<HttpResponse<byte[]>> f =
                client.sendAsync(r.build(), LimitedBody.handler(maxBytes));
        HttpResponse<byte[]> resp;
        try {
            // The whole answer, body included, within the time left.
            resp = f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("no answer from " + uri.getPath() + " within the timeout");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw new IOException(uri.getPath() + ": " + (c == null ? e : c), c);
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
        if (resp.statusCode() != 200) {
            throw new IOException(uri.getPath() + " answered HTTP " + resp.statusCode());
        }
        try {
            JsonNode n = JSON.readTree(resp.body());
            if (n == null || !n.isObject()) {
                throw new IOException(uri.getPath() + " answered no JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(uri.getPath() + " answered no JSON: " + e.getOriginalMessage());
        }
    }
}
