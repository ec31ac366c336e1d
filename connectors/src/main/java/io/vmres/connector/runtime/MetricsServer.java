package io.vmres.connector.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Serves a connector's metrics on {@code GET /metrics} in Prometheus's text format, with the JDK's
 * HTTP server on one thread of its own. Settings {@code metrics.port} (unset: no server; 0: a free
 * port) and {@code metrics.host} (default 127.0.0.1).
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts serving {@code text} on {@code address}. */
    public static MetricsServer start(InetSocketAddress address, Supplier<String> text)
            throws IOException {
        HttpServer server = HttpServer.create(address, 8);
        server.createContext("/metrics", exchange -> answer(exchange, text));
        ExecutorService executor =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "vmres-metrics-http");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor);
    }

    /**
     * The server the settings ask for ({@code metrics.port}, {@code metrics.host}), or null when
     * {@code metrics.port} is not set.
     */
    public static MetricsServer fromSettings(ConnectorSettings settings, ConnectorService service)
            throws IOException {
        if (settings.get("metrics.port").isEmpty()) {
            return null;
        }
        int port = settings.getInt("metrics.port", 0);
        String host = settings.get("metrics.host", "127.0.0.1");
        return start(new InetSocketAddress(host, port), () -> PrometheusText.of(service));
    }

    /** The port it listens on (the one chosen when asked for 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, Supplier<String> text) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")
                    && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = text.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
