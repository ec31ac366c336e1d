package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.engine.Settings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's server: what it serves, to whom, and that it only reads. */
class DashboardServerTest {
    private final DashboardModel model = new DashboardModel(Settings.DEFAULTS);
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void onLoopbackThePageNeedsNoToken() throws Exception {
        try (DashboardServer server = new DashboardServer(model, "127.0.0.1", 0, null)) {
            HttpResponse<String> page = get(server.url());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>vmres dashboard</title>");
            assertThat(get(server.url() + "app.js").body()).contains("EventSource");
            assertThat(get(server.url() + "nope").statusCode()).isEqualTo(404);
            assertThat(get(server.url() + "../pom.xml").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void beyondLoopbackItRefusesToStartWithoutAToken() {
        assertThatThrownBy(() -> new DashboardServer(model, "0.0.0.0", 0, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token");
        assertThatThrownBy(() -> new DashboardServer(model, "0.0.0.0", 0, " "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withATokenEveryRequestWithoutItIsRefused() throws Exception {
        try (DashboardServer server = new DashboardServer(model, "0.0.0.0", 0, "s3cret")) {
            String base = "http://127.0.0.1:" + server.port() + "/";
            assertThat(server.url()).endsWith("/?token=s3cret");
            assertThat(get(base).statusCode()).isEqualTo(401);
            assertThat(get(base + "events").statusCode()).isEqualTo(401);
            assertThat(get(base + "snapshot?token=wrong").statusCode()).isEqualTo(401);
            assertThat(get(base + "snapshot", "Authorization", "Bearer s3cret").statusCode())
                    .isEqualTo(200);
            HttpResponse<String> page = get(base + "?token=s3cret");
            assertThat(page.statusCode()).isEqualTo(200);
            // the page's own requests (script, stream) carry the token in a cookie
            String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
            assertThat(
                            get(base + "app.js", "Cookie", cookie.substring(0, cookie.indexOf(';')))
                                    .statusCode())
                    .isEqualTo(200);
        }
    }

    /** A raw request, so that the Host header is the test's own; the status line and headers. */
    private static String raw(int port, String path, String host) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream()
                    .write(
                            ("GET "
                                            + path
                                            + " HTTP/1.1\r\nHost: "
                                            + host
                                            + "\r\nConnection: close\r\n\r\n")
                                    .getBytes(StandardCharsets.UTF_8));
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder head = new StringBuilder();
            for (String line = in.readLine();
                    line != null && !line.isEmpty();
                    line = in.readLine()) {
                head.append(line).append('\n');
            }
            return head.toString();
        }
    }

    @Test
    void everyAnswerForbidsInlineScriptFramingAndReferrers() throws Exception {
        try (DashboardServer server = new DashboardServer(model, "127.0.0.1", 0, null)) {
            for (String path : List.of("", "app.js", "app.css", "nope", "snapshot")) {
                HttpResponse<String> r = get(server.url() + path);
                String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
                assertThat(csp)
                        .contains("script-src 'self'")
                        .contains("style-src 'self'")
                        .contains("frame-ancestors 'none'")
                        .doesNotContain("unsafe-inline")
                        .doesNotContain("unsafe-eval");
                assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
                assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
                assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            }
            // the page holds no inline script or style to allow
            String page = get(server.url()).body();
            assertThat(page).doesNotContainPattern("<script(?![^>]*\\ssrc=)");
            assertThat(page).doesNotContain("<style").doesNotContain(" style=");
            assertThat(page).doesNotContainPattern(" on[a-z]+=");
        }
    }

    @Test
    void aRequestNamingAnotherHostIsRefused() throws Exception {
        try (DashboardServer server =
                new DashboardServer(
                        model,
                        new DashboardServer.Options(
                                "127.0.0.1", 0, null, List.of("vmres.example.com"), 4))) {
            int port = server.port();
            assertThat(raw(port, "/", "127.0.0.1:" + port)).startsWith("HTTP/1.1 200");
            assertThat(raw(port, "/", "localhost:" + port)).startsWith("HTTP/1.1 200");
            assertThat(raw(port, "/", "[::1]:" + port)).startsWith("HTTP/1.1 200");
            assertThat(raw(port, "/", "vmres.example.com:" + port)).startsWith("HTTP/1.1 200");
            // DNS rebinding: another site's name resolved to this address
            assertThat(raw(port, "/", "evil.example:" + port)).startsWith("HTTP/1.1 403");
            assertThat(raw(port, "/snapshot", "evil.example:" + port)).startsWith("HTTP/1.1 403");
            // the right name on another port is another origin
            assertThat(raw(port, "/", "localhost:" + (port == 1 ? 2 : port - 1)))
                    .startsWith("HTTP/1.1 403");
            assertThat(raw(port, "/", "localhost")).startsWith("HTTP/1.1 403");
        }
    }

    @Test
    void openEventStreamsAreBoundedAndAStreamThatEndsFreesItsPlace() throws Exception {
        try (DashboardServer server =
                new DashboardServer(
                        model, new DashboardServer.Options("127.0.0.1", 0, null, List.of(), 2))) {
            URI events = URI.create(server.url() + "events");
            HttpResponse<java.io.InputStream> a =
                    http.send(
                            HttpRequest.newBuilder(events).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            HttpResponse<java.io.InputStream> b =
                    http.send(
                            HttpRequest.newBuilder(events).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertThat(a.statusCode()).isEqualTo(200);
            assertThat(b.statusCode()).isEqualTo(200);
            HttpResponse<String> refused = get(events.toString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(get(server.url()).statusCode()).isEqualTo(200); // the page still loads
            a.body().close();
            // the server finds the stream gone at its next write (a keep-alive at the latest)
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (server.openStreams() > 1 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
            }
            assertThat(server.openStreams()).isEqualTo(1);
            HttpResponse<java.io.InputStream> c =
                    http.send(
                            HttpRequest.newBuilder(events).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertThat(c.statusCode()).isEqualTo(200);
            b.body().close();
            c.body().close();
        }
    }

    @Test
    void itOnlyReads() throws Exception {
        try (DashboardServer server = new DashboardServer(model, "127.0.0.1", 0, null)) {
            HttpResponse<String> post =
                    http.send(
                            HttpRequest.newBuilder(URI.create(server.url()))
                                    .POST(HttpRequest.BodyPublishers.ofString("x"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    @Test
    void theStreamSendsTheWholeModelThenWhatChanged() throws Exception {
        model.apply(Records.host("h1", "c1", "r1", "healthy", 3, 0));
        try (DashboardServer server = new DashboardServer(model, "127.0.0.1", 0, null)) {
            HttpResponse<java.io.InputStream> events =
                    http.send(
                            HttpRequest.newBuilder(URI.create(server.url() + "events")).build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            assertThat(events.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            try (BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
                String first = in.readLine();
                assertThat(first)
                        .startsWith("data: {")
                        .contains("\"full\":true")
                        .contains("\"h1\"");
                assertThat(in.readLine()).isEmpty();
                model.apply(Records.host("h2", "c1", "r1", "failed", 3, 40));
                String next = in.readLine();
                assertThat(next)
                        .contains("\"full\":false")
                        .contains("\"h2\"")
                        .doesNotContain("\"h1\"");
            }
        }
    }
}
