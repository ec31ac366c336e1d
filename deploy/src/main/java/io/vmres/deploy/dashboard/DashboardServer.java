package io.vmres.deploy.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard: the page and its script, and {@code /events}, a server-sent event stream of
 * the model (the whole of it on connect, then what changed, at most {@link #PUSH_MS} apart).
 * Read-only: it answers GET only. On an address other than loopback it requires a token, given once
 * in the page's URL ({@code ?token=T}, then kept in a cookie) or as a bearer header.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);

    /** The least time between two updates sent to one page. */
    static final long PUSH_MS = 250;

    /** A comment line at least this often keeps a quiet stream open through proxies. */
    private static final long KEEPALIVE_MS = 15_000;

    private static final String COOKIE = "vmres_token";
    private static final String STATIC = "/io/vmres/deploy/dashboard/static/";
    private static final Map<String, String> TYPES =
            Map.of(
                    "html", "text/html; charset=utf-8",
                    "js", "text/javascript; charset=utf-8",
                    "css", "text/css; charset=utf-8",
                    "svg", "image/svg+xml",
                    "json", "application/json");

    private final ObjectMapper json = new ObjectMapper();
    private final DashboardModel model;
    private final String token;
    private final HttpServer http;
    private final ExecutorService pool;
    private volatile boolean open = true;

    /**
     * @param token required on every request when not null; must be given when {@code bind} is not
     *     a loopback address
     * @throws IllegalArgumentException when bound beyond loopback without a token
     */
    public DashboardServer(DashboardModel model, String bind, int port, String token)
            throws IOException {
        InetAddress address = InetAddress.getByName(bind);
        if (!address.isLoopbackAddress() && (token == null || token.isBlank())) {
            throw new IllegalArgumentException(
                    "the dashboard binds to "
                            + bind
                            + ", beyond this machine: it needs a --token that every request must carry");
        }
        this.model = model;
        this.token = token == null || token.isBlank() ? null : token;
        http = HttpServer.create(new InetSocketAddress(address, port), 0);
        pool =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, "vmres-dashboard-http");
                            t.setDaemon(true);
                            return t;
                        });
        http.setExecutor(pool);
        http.createContext("/", this::handle);
        http.start();
    }

    /** The port the server listens on (the one asked for, or the one picked for port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The page's address; with the token in it when there is one. */
    public String url() {
        InetAddress a = http.getAddress().getAddress();
        String host = a.isAnyLocalAddress() ? "localhost" : a.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port() + "/" + (token == null ? "" : "?token=" + token);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod())) {
                plain(ex, 405, "the dashboard is read-only");
                return;
            }
            String given = given(ex);
            if (token != null && !same(token, given)) {
                plain(ex, 401, "a token is required: open the address vmres dashboard printed");
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/", "/index.html" -> {
                    if (token != null) {
                        ex.getResponseHeaders()
                                .add(
                                        "Set-Cookie",
                                        COOKIE
                                                + "="
                                                + token
                                                + "; Path=/; HttpOnly; SameSite=Strict");
                    }
                    resource(ex, "index.html");
                }
                case "/events" -> events(ex);
                case "/snapshot" ->
                        bytes(ex, 200, TYPES.get("json"), json.writeValueAsBytes(model.since(0)));
                default -> {
                    String name = path.substring(1);
                    if (name.matches("[a-z0-9-]+\\.(js|css|svg)")) {
                        resource(ex, name);
                    } else {
                        plain(ex, 404, "no such page");
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("a dashboard client went away: {}", e.getMessage());
        }
    }

    /** The token a request carries: query, bearer header or cookie. */
    private static String given(HttpExchange ex) {
        String q = ex.getRequestURI().getRawQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                if (kv.startsWith("token=")) {
                    return URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8);
                }
            }
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            return auth.substring(7).trim();
        }
        for (String cookies : ex.getRequestHeaders().getOrDefault("Cookie", java.util.List.of())) {
            for (String c : cookies.split(";")) {
                String kv = c.trim();
                if (kv.startsWith(COOKIE + "=")) {
                    return kv.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    private static boolean same(String expected, String given) {
        return given != null
                && MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8),
                        given.getBytes(StandardCharsets.UTF_8));
    }

    /** The stream of one page: the whole model, then what changed, until the page goes. */
    private void events(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().add("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long sent = 0;
        boolean first = true;
        long quietSince = System.nanoTime();
        try {
            while (open) {
                if (first || model.version() != sent) {
                    Map<String, Object> delta = model.since(first ? 0 : sent);
                    first = false;
                    sent = (long) delta.get("version");
                    out.write("data: ".getBytes(StandardCharsets.UTF_8));
                    out.write(json.writeValueAsBytes(delta));
                    out.write("\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince
                        > TimeUnit.MILLISECONDS.toNanos(KEEPALIVE_MS)) {
                    out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    quietSince = System.nanoTime();
                }
                Thread.sleep(PUSH_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void resource(HttpExchange ex, String name) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(STATIC + name)) {
            if (in == null) {
                plain(ex, 404, "no such page");
                return;
            }
            String ext = name.substring(name.lastIndexOf('.') + 1);
            ex.getResponseHeaders().add("Cache-Control", "no-cache");
            bytes(ex, 200, TYPES.get(ext), in.readAllBytes());
        }
    }

    private static void plain(HttpExchange ex, int status, String text) throws IOException {
        bytes(
                ex,
                status,
                "text/plain; charset=utf-8",
                (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void bytes(HttpExchange ex, int status, String type, byte[] body)
            throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        open = false;
        http.stop(0);
        pool.shutdownNow();
    }
}
