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
