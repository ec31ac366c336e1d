package io.vmres.deploy.metrics;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.schema.Action;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Prometheus server scrapes the job (Flink's Prometheus reporter on the MiniCluster of the
 * embedded runtime) and the connector's {@code /metrics} every second while a crashed host is
 * recovered; the figures are read back through Prometheus's query API. Skipped where {@code
 * /usr/bin/prometheus} is missing ({@code bin/setup --with prometheus}).
 */
@Tag("slow")
class PrometheusITCase {
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusITCase.class);
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir Path dir;

    @Test
    void recoveryIsSeenThroughPrometheus() throws Exception {
        assumeTrue(
                Files.isExecutable(PROMETHEUS),
                "no " + PROMETHEUS + ": bin/setup --with prometheus");

        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(12)
                        .clusters(1)
                        .hostsPerRack(6)
                        .vmsPerHost(4)
                        .seed(11)
                        .build();
        SimulatedHypervisor hypervisor =
                SimulatedHypervisor.builder(fleet)
                        .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(200)))
                        .latency(Action.RESTART_VM, Latency.fixed(Duration.ofMillis(300)))
                        .seed(11)
                        .build();
        int reporterPort = freePort();
        Configuration flink = new Configuration();
        flink.setString(
                "metrics.reporter.prom.factory.class",
                "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        flink.setString("metrics.reporter.prom.port", Integer.toString(reporterPort));

        try (LiveRuntime runtime =
                LiveRuntime.builder(fleet)
                        .hypervisor(hypervisor)
                        .flinkConfiguration(flink)
                        .connectorMetricsPort(0)
                        .start()) {
            int connectorPort = runtime.connectorMetricsPort().orElseThrow();
            int prometheusPort = freePort();
            Process prometheus = startPrometheus(prometheusPort, reporterPort, connectorPort);
            try {
                String api = "http://127.0.0.1:" + prometheusPort;
                // Both targets up: scraped and answering.
                await(
                        Duration.ofSeconds(90),
                        () ->
                                value(api, "sum(up{job=~\"vmres-job|vmres-connector\"})")
                                        .filter(v -> v == 2)
                                        .map(v -> true));

                await(
                        Duration.ofSeconds(60),
                        () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= 3));
                FleetHost victim =
                        fleet.hosts().stream()
                                .filter(
                                        h ->
                                                !h.spare()
                                                        && h.bmc()
                                                        && !fleet.vmsOn(h.host()).isEmpty())
                                .findFirst()
                                .orElseThrow();
                fleet.crash(victim.host());

                double succeeded =
                        await(
                                Duration.ofSeconds(150),
                                () ->
                                        value(
                                                        api,
                                                        "sum(vmres_connector_commands_total{action=\"RESTART_VM\",outcome=\"SUCCEEDED\"})")
                                                .filter(v -> v > 0));
                assertThat(succeeded).isPositive();

                double opened =
                        await(
                                Duration.ofSeconds(60),
                                () ->
                                        value(
                                                        api,
                                                        "sum("
                                                                + JobMetrics.INCIDENTS_OPENED
                                                                + "{kind=\"HOST_FAILURE\"})")
                                                .filter(v -> v >= 1));
                assertThat(opened).isGreaterThanOrEqualTo(1);

                // Declared 10 to 13 s after its last heartbeat (the default timeout and grace).
                double detection =
                        await(
                                Duration.ofSeconds(30),
                                () ->
                                        value(
                                                        api,
                                                        "max("
                                                                + JobMetrics.DETECTION_TIME
                                                                + "{quantile=\"0.999\"})")
                                                .filter(v -> v > 0));
                assertThat(detection).isBetween(10_000.0, 13_000.0);

                double latencyCount =
                        value(
                                        api,
                                        "sum(vmres_connector_command_latency_seconds_count{action=\"RESTART_VM\"})")
                                .orElse(0.0);
                assertThat(latencyCount).isPositive();
                assertThat(names(api)).containsAll(JobMetrics.ALL);
            } finally {
                LOG.info(
                        "vmres series in Prometheus: {}",
                        names("http://127.0.0.1:" + prometheusPort));
                stop(prometheus);
            }
        }
    }

    private Process startPrometheus(int port, int reporterPort, int connectorPort)
            throws IOException {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "  evaluation_interval: 1s",
                        "scrape_configs:",
                        "  - job_name: vmres-job",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + reporterPort + "']",
                        "  - job_name: vmres-connector",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + connectorPort + "']",
                        ""));
        Path data = Files.createDirectories(dir.resolve("data"));
        return new ProcessBuilder(
                        PROMETHEUS.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + data,
                        "--web.listen-address=127.0.0.1:" + port,
                        "--storage.tsdb.retention.time=1h",
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
    }

    private void stop(Process p) throws InterruptedException, IOException {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        LOG.info("prometheus log:\n{}", Files.readString(dir.resolve("prometheus.log")));
        assertThat(p.isAlive()).isFalse();
    }

    /** The single value of an instant query, if it has one. */
    private static Optional<Double> value(String api, String query) {
        JsonNode result = query(api, query).path("data").path("result");
        if (result.size() != 1) {
            return Optional.empty();
        }
        return Optional.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    private static TreeSet<String> names(String api) {
        TreeSet<String> out = new TreeSet<>();
        query(api, "{__name__=~\".*vmres.*\"}")
                .path("data")
                .path("result")
                .forEach(r -> out.add(r.path("metric").path("__name__").asText()));
        return out;
    }

    private static JsonNode query(String api, String query) {
        URI uri =
                URI.create(
                        api
                                + "/api/v1/query?query="
                                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r =
                    HTTP.send(
                            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            // not up yet: the callers poll
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException(e));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
