package io.vmres.deploy.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vmres.deploy.whatif.WhatIfQuestion;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the dashboard: the page and its script, and {@code /events}, a server-sent event stream of
 * the model (the whole of it on connect, then what changed, at most {@link #PUSH_MS} apart).
 * Read-only: it answers GET only. On an address other than loopback it requires a token, given once
 * in the page's URL ({@code ?token=T}, then kept in a cookie) or as a bearer header. It answers
 * only requests whose {@code Host} names it (against DNS rebinding: a page of another site that
 * makes its own name resolve to this address), keeps at most {@link Options#maxStreams} event
 * streams open, and sends every answer with a Content-Security-Policy that allows only its own
 * files. {@code /whatif} answers a what-if question about the fleet state (see {@link
 * WhatIfEngines}), one at a time and within a time limit.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardServer.class);

    /** The longest a what-if question may take, waiting for the fleet state included. */
    static final Duration QUESTION_LIMIT = Duration.ofSeconds(5);

    /** Failures one question may name at most. */
    static final int MAX_FAILURES = 16;

    /** The least time between two updates sent to one page. */
    static final long PUSH_MS = 250;

    /**
     * A comment line at least this often keeps a quiet stream open through proxies, and finds the
     * streams of pages that went (a write fails), so that they free their place.
     */
    private static final long KEEPALIVE_MS = 5_000;

    private static final String COOKIE = "vmres_token";

    /**
     * Only the page's own files: no inline script or style, no other origin, no framing, no form
     * posts.
     */
    static final String CSP =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
                    + " connect-src 'self'; base-uri 'none'; form-action 'none';"
                    + " frame-ancestors 'none'";

    /** Where and how the server listens. */
    public record Options(
            String bind, int port, String token, List<String> allowedHosts, int maxStreams) {
        /** Event streams open at once unless told otherwise: a page holds one. */
        public static final int MAX_STREAMS = 16;

        public Options {
            allowedHosts = List.copyOf(allowedHosts);
            if (maxStreams < 1) {
                throw new IllegalArgumentException("maxStreams must be at least 1");
            }
        }

        /** On {@code bind:port}, with a token or none, no other names, the default streams. */
        public static Options of(String bind, int port, String token) {
            return new Options(bind, port, token, List.of(), MAX_STREAMS);
        }
    }

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
    private final Set<String> hostNames;
    private final Set<String> hostsWithPort;
    private final int maxStreams;
    private final AtomicInteger streams = new AtomicInteger();
    private volatile boolean open = true;

    /** One what-if question at a time, answered on a thread of its own within a time limit. */
    private final Semaphore question = new Semaphore(1);

    private final ExecutorService asker =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "vmres-dashboard-whatif-question");
                        t.setDaemon(true);
                        return t;
                    });
    private volatile Duration questionLimit = QUESTION_LIMIT;

    /**
     * @param token required on every request when not null; must be given when {@code bind} is not
     *     a loopback address
     * @throws IllegalArgumentException when bound beyond loopback without a token
     */
    public DashboardServer(DashboardModel model, String bind, int port, String token)
            throws IOException {
        this(model, Options.of(bind, port, token));
    }

    /**
     * @throws IllegalArgumentException when bound beyond loopback without a token
     */
    public DashboardServer(DashboardModel model, Options o) throws IOException {
        String bind = o.bind();
        String token = o.token();
        InetAddress address = InetAddress.getByName(bind);
        if (!address.isLoopbackAddress() && (token == null || token.isBlank())) {
            throw new IllegalArgumentException(
                    "the dashboard binds to "
                            + bind
                            + ", beyond this machine: it needs a --token that every request must carry");
        }
        this.model = model;
        this.token = token == null || token.isBlank() ? null : token;
        this.maxStreams = o.maxStreams();
        http = HttpServer.create(new InetSocketAddress(address, o.port()), 0);
        hostNames = names(bind, address);
        hostsWithPort = new HashSet<>();
        for (String h : o.allowedHosts()) {
            String n = h.toLowerCase(Locale.ROOT);
            if (n.matches(".*:[0-9]+") && !n.endsWith("]")) {
                hostsWithPort.add(n);
            } else {
                hostsWithPort.add(n + ":" + port());
            }
        }
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

    /**
     * The names a request's {@code Host} may give (with the listening port): the loopback names,
     * the bound address as given and as an address, and for a wildcard bind this machine's name and
     * addresses.
     */
    private static Set<String> names(String bind, InetAddress address) {
        Set<String> names = new HashSet<>(List.of("localhost", "127.0.0.1", "[::1]"));
        names.add(bracketed(bind.toLowerCase(Locale.ROOT)));
        names.add(bracketed(address.getHostAddress()));
        if (address.isAnyLocalAddress()) {
            try {
                InetAddress self = InetAddress.getLocalHost();
                names.add(self.getHostName().toLowerCase(Locale.ROOT));
                names.add(self.getCanonicalHostName().toLowerCase(Locale.ROOT));
                for (NetworkInterface ni :
                        Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                        names.add(bracketed(a.getHostAddress().replaceAll("%.*", "")));
                    }
                }
            } catch (IOException e) {
                LOG.warn("this machine's own names are unknown: {}", e.getMessage());
            }
        }
        return names;
    }

    private static String bracketed(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Whether a request's {@code Host} header names this server (name and port). */
    private boolean hostAllowed(String header) {
        if (header == null || header.isBlank()) {
            return false;
        }
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (hostsWithPort.contains(h)) {
            return true;
        }
        int colon = h.lastIndexOf(':');
        String name = h;
        int port = 80;
        if (colon > h.lastIndexOf(']')) {
            name = h.substring(0, colon);
            try {
                port = Integer.parseInt(h.substring(colon + 1));
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return port == port() && (hostNames.contains(name) || hostsWithPort.contains(h));
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
            Headers headers = ex.getResponseHeaders();
            headers.add("Content-Security-Policy", CSP);
            headers.add("X-Frame-Options", "DENY");
            headers.add("Referrer-Policy", "no-referrer");
            headers.add("X-Content-Type-Options", "nosniff");
            if (!hostAllowed(ex.getRequestHeaders().getFirst("Host"))) {
                // a page of another site whose name was made to resolve here (DNS rebinding)
                plain(ex, 403, "this dashboard is not served under that name (Host header)");
                return;
            }
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
                case "/whatif" -> whatIf(ex, false);
                case "/whatif/choices" -> whatIf(ex, true);
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
        for (String cookies : ex.getRequestHeaders().getOrDefault("Cookie", List.of())) {
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

    /**
     * The stream of one page: the whole model, then what changed, until the page goes. Each holds a
     * thread: beyond {@link Options#maxStreams} open at once, more are refused (503).
     */
    private void events(HttpExchange ex) throws IOException {
        if (streams.incrementAndGet() > maxStreams) {
            streams.decrementAndGet();
            ex.getResponseHeaders().add("Retry-After", "10");
            plain(
                    ex,
                    503,
                    "the dashboard serves at most "
                            + maxStreams
                            + " pages at once: close one and reload");
            return;
        }
        try {
            stream(ex);
        } finally {
            streams.decrementAndGet();
        }
    }

    /**
     * {@code /whatif?fail=rack:r02[&fail=...]}: what vmres would do if they failed now, asked of
     * the engines of the model's {@link WhatIfEngines}, answered as {@code vmres whatif --json}
     * writes it; {@code /whatif/choices}: the hosts, racks and power domains a question may name.
     * One question at a time (another gets 429), within {@link #QUESTION_LIMIT} (else 503); no
     * fleet state yet: 503.
     */
    private void whatIf(HttpExchange ex, boolean choices) throws IOException {
        List<Failure> failures;
        try {
            failures = choices ? List.of() : failures(ex.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            plain(ex, 400, e.getMessage());
            return;
        }
        ex.getResponseHeaders().add("Cache-Control", "no-store");
        Duration limit = questionLimit;
        // the engines' feeder gets the rest of the limit back before the answer times out
        Duration wait = limit.multipliedBy(4).dividedBy(5);
        WhatIfEngines engines = model.whatIf();
        if (choices) {
            // a walk over the hosts: no answer to bound beyond the wait for the engines
            try {
                WhatIfEngines.Choices c = engines.choices(wait);
                if (c != null) {
                    bytes(ex, 200, TYPES.get("json"), json.writeValueAsBytes(c));
                } else {
                    noState(ex);
                }
            } catch (TimeoutException e) {
                plain(ex, 503, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (!question.tryAcquire()) {
            ex.getResponseHeaders().add("Retry-After", "1");
            plain(ex, 429, "one what-if question at a time: another is being answered");
            return;
        }
        Future<byte[]> answer;
        try {
            answer =
                    asker.submit(
                            () -> {
                                try {
                                    WhatIfAnswer a = engines.ask(failures, wait);
                                    return a == null
                                            ? null
                                            : WhatIfQuestion.json(a)
                                                    .getBytes(StandardCharsets.UTF_8);
                                } finally {
                                    question.release();
                                }
                            });
        } catch (RejectedExecutionException e) {
            question.release();
            plain(ex, 503, "the dashboard is closing");
            return;
        }
        byte[] body;
        try {
            body = answer.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            plain(ex, 503, "no answer within " + limit.toMillis() + " ms: ask again");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TimeoutException busy) {
                plain(ex, 503, busy.getMessage());
                return;
            }
            LOG.warn("a what-if question failed", e.getCause());
            plain(ex, 500, "the question failed: " + e.getCause());
            return;
        }
        if (body == null) {
            noState(ex);
            return;
        }
        bytes(ex, 200, TYPES.get("json"), body);
    }

    private static void noState(HttpExchange ex) throws IOException {
        plain(
                ex,
                503,
                "no fleet state to ask yet: the input topics (or the replay) have not reached"
                        + " the engines");
    }

    /**
     * The failures of a question's query: each {@code fail=host:ID}, {@code rack:ID}, {@code
     * pd:ID}.
     */
    static List<Failure> failures(String rawQuery) {
        List<Failure> list = new ArrayList<>();
        if (rawQuery != null) {
            for (String kv : rawQuery.split("&")) {
                if (kv.startsWith("fail=")) {
                    list.add(
                            Failure.parse(
                                    URLDecoder.decode(kv.substring(5), StandardCharsets.UTF_8)));
                }
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException(
                    "name what fails: /whatif?fail=host:ID, rack:ID or pd:ID");
        }
        if (list.size() > MAX_FAILURES) {
            throw new IllegalArgumentException(
                    "at most " + MAX_FAILURES + " failures in one question");
        }
        return list;
    }

    /** How long a what-if question may take (tests shorten it). */
    void questionLimit(Duration limit) {
        this.questionLimit = limit;
    }

    /** The number of event streams open now. */
    int openStreams() {
        return streams.get();
    }

    private void stream(HttpExchange ex) throws IOException {
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
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        open = false;
        http.stop(0);
        pool.shutdownNow();
        asker.shutdownNow();
    }
}
