package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.deploy.whatif.WhatIfQuestion;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.whatif.Failure;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's server: what it serves, to whom, and that it only reads. */
class DashboardServerTest {
    private final DashboardModel model = new DashboardModel(Settings.DEFAULTS);
    private final HttpClient http = HttpClient.newHttpClient();
    @TempDir Path dir;

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

    @Test
    void whatIfIsGuardedLikeTheRestAndReadOnly() throws Exception {
        try (DashboardServer server = new DashboardServer(model, "0.0.0.0", 0, "s3cret")) {
            int port = server.port();
            String base = "http://127.0.0.1:" + port + "/";
            assertThat(get(base + "whatif?fail=rack:r01").statusCode()).isEqualTo(401);
            assertThat(get(base + "whatif/choices").statusCode()).isEqualTo(401);
            assertThat(raw(port, "/whatif?fail=rack:r01&token=s3cret", "evil.example:" + port))
                    .startsWith("HTTP/1.1 403");
            HttpResponse<String> post =
                    http.send(
                            HttpRequest.newBuilder(URI.create(base + "whatif?fail=rack:r01"))
                                    .header("Authorization", "Bearer s3cret")
                                    .POST(HttpRequest.BodyPublishers.ofString("x"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            // nothing fed the engines: no fleet state to ask
            HttpResponse<String> none =
                    get(base + "whatif?fail=rack:r01", "Authorization", "Bearer s3cret");
            assertThat(none.statusCode()).isEqualTo(503);
            assertThat(none.body()).contains("no fleet state");
            assertThat(none.headers().firstValue("Content-Security-Policy")).isPresent();
        }
    }

    @Test
    void whatIfAnswersAsWhatifDoesOneQuestionAtATimeWithinItsLimit() throws Exception {
        Path recording = dir.resolve("fleet.jsonl");
        RecordingGenerator.write(
                recording,
                new RecordingGenerator.Options(
                        20, 4, Duration.ofMinutes(1), 1, 0, 5, Duration.ofSeconds(5), false));
        new PacedReplay(model, Double.POSITIVE_INFINITY)
                .run(recording, dir.resolve("out"), Map.of());
        try (DashboardServer server = new DashboardServer(model, "127.0.0.1", 0, null)) {
            String base = server.url();
            assertThat(get(base + "whatif").statusCode()).isEqualTo(400);
            assertThat(get(base + "whatif?fail=bogus").statusCode()).isEqualTo(400);
            assertThat(
                            get(base + "whatif?fail=rack:r01" + "&fail=host:h01".repeat(16))
                                    .statusCode())
                    .isEqualTo(400);
            assertThat(get(base + "whatif/choices").body()).contains("\"racks\":[\"r01\"");

            HttpResponse<String> r = get(base + "whatif?fail=rack%3Ar01");
            assertThat(r.statusCode()).isEqualTo(200);
            var answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
            long at = Times.parse(answer.get("at").asText());
            var expected =
                    WhatIfQuestion.ask(recording, at, null, List.of(Failure.parse("rack:r01")))
                            .answer();
            Map<String, String> targets = new TreeMap<>();
            answer.get("clusters")
                    .forEach(
                            c ->
                                    c.get("restarts")
                                            .forEach(
                                                    x ->
                                                            targets.put(
                                                                    x.get("vm").asText(),
                                                                    x.get("to").asText())));
            assertThat(targets).isNotEmpty().isEqualTo(WhatIfQuestion.targets(expected));
            assertThat(answer.get("recoveryS").asDouble()).isEqualTo(expected.recoveryS());

            // while the feeder holds the engines, a question waits at most its limit, and a
            // second one meanwhile is turned away
            server.questionLimit(Duration.ofMillis(1_500));
            WhatIfEngines engines = model.whatIf();
            engines.hold();
            try {
                CompletableFuture<HttpResponse<String>> first =
                        http.sendAsync(
                                HttpRequest.newBuilder(URI.create(base + "whatif?fail=rack:r01"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> second = null;
                while (!first.isDone()) {
                    second = get(base + "whatif?fail=rack:r02");
                    if (second.statusCode() == 429) {
                        break;
                    }
                }
                assertThat(second).isNotNull();
                assertThat(Set.of(second.statusCode(), first.get().statusCode()))
                        .containsExactlyInAnyOrder(429, 503);
                HttpResponse<String> turnedAway = second.statusCode() == 429 ? second : first.get();
                assertThat(turnedAway.headers().firstValue("Retry-After")).hasValue("1");
            } finally {
                engines.release(Long.MIN_VALUE);
            }
            assertThat(get(base + "whatif?fail=rack:r01").statusCode()).isEqualTo(200);
        }
    }
}
