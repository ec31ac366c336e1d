package io.vmres.connector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private static final ConnectorCounters COUNTERS =
            new ConnectorCounters(9, 7, 1, 2, 5, 1, 1, 0, 0, 3, 1, 0, 0, 0, 2, 0, 4, 0, 0, 0);

    @Test
    void textHasOutcomesByActionAndCumulativeLatencyBuckets() {
        CommandOutcomes outcomes = new CommandOutcomes();
        outcomes.answered("RESTART_VM", Outcome.Status.SUCCEEDED, 40);
        outcomes.answered("RESTART_VM", Outcome.Status.SUCCEEDED, 700);
        outcomes.answered("RESTART_VM", Outcome.Status.FAILED, 400_000);
        outcomes.answered("FENCE_HOST", Outcome.Status.TIMED_OUT, 0);

        String text = PrometheusText.of(COUNTERS, outcomes);

        assertThat(text)
                .contains(
                        "vmres_connector_commands_total{action=\"RESTART_VM\",outcome=\"SUCCEEDED\"} 2\n",
                        "vmres_connector_commands_total{action=\"RESTART_VM\",outcome=\"FAILED\"} 1\n",
                        "vmres_connector_commands_total{action=\"FENCE_HOST\",outcome=\"TIMED_OUT\"} 1\n",
                        "vmres_connector_command_latency_seconds_bucket{action=\"RESTART_VM\",le=\"0.05\"} 1\n",
                        "vmres_connector_command_latency_seconds_bucket{action=\"RESTART_VM\",le=\"1.0\"} 2\n",
                        "vmres_connector_command_latency_seconds_bucket{action=\"RESTART_VM\",le=\"300.0\"} 2\n",
                        "vmres_connector_command_latency_seconds_bucket{action=\"RESTART_VM\",le=\"+Inf\"} 3\n",
                        "vmres_connector_command_latency_seconds_count{action=\"RESTART_VM\"} 3\n",
                        "vmres_connector_command_latency_seconds_sum{action=\"RESTART_VM\"} 400.74\n",
                        "vmres_connector_in_doubt_total 1\n",
                        "vmres_connector_conflicts_total 2\n",
                        "vmres_connector_ledger_expired_total 4\n",
                        "vmres_connector_commands_queued 2\n",
                        "# TYPE vmres_connector_command_latency_seconds histogram\n");
    }

    @Test
    void servesTheTextOnLoopback() throws Exception {
        try (MetricsServer server =
                MetricsServer.start(
                        new InetSocketAddress("127.0.0.1", 0),
                        () -> PrometheusText.of(COUNTERS, new CommandOutcomes()))) {
            HttpResponse<String> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + server.port()
                                                                    + "/metrics"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type"))
                    .hasValue(PrometheusText.CONTENT_TYPE);
            assertThat(r.body()).contains("vmres_connector_commands_received_total 9\n");
        }
    }

    @Test
    void offUnlessAPortIsSet() throws Exception {
        assertThat(MetricsServer.fromSettings(ConnectorSettings.empty(), null)).isNull();
    }
}
