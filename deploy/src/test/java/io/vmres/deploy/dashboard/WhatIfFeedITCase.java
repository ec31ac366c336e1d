package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.TelemetryPublisher;
import io.vmres.deploy.commands.Recorder;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.whatif.WhatIfQuestion;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard of a running vmres answers what-if from the engines it keeps fed from the input
 * topics: the same answer {@code vmres whatif} gives on a recording of those topics at the same
 * time.
 */
@Tag("slow")
@SuppressWarnings("try") // test harnesses and fixtures held open by try-with-resources
class WhatIfFeedITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    @Test
    void aRackQuestionOfTheLiveDashboardIsWhatWhatifSaysOfTheRecordedTopics() throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(16)
                        .hostsPerRack(4)
                        .racksPerPowerDomain(1)
                        .vmsPerHost(6)
                        .heartbeatInterval(Duration.ofSeconds(1))
                        .seed(3)
                        .build();
        HttpClient http = HttpClient.newHttpClient();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                Map.of(
                                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        kafka.bootstrapServers(),
                                        // telemetry: a beat resent twice is harmless, and the
                                        // idempotent producer's sequence errors on a new broker's
                                        // first leader change would hold its close for minutes
                                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                        false),
                                new ByteArraySerializer(),
                                new ByteArraySerializer());
                TelemetryPublisher telemetry = fleet.telemetry(producer).start();
                Dashboard dashboard =
                        Dashboard.start(
                                kafka.endpoint(),
                                DashboardServer.Options.of("127.0.0.1", 0, null),
                                Settings.DEFAULTS,
                                s -> {})) {
            String base = dashboard.url();
            JsonNode choices = await(http, base + "whatif/choices", 200, Duration.ofSeconds(60));
            String rack = choices.get("clusters").get(0).get("racks").get(1).asText();
            // the engines have the VMs: the rack's hosts have some to restart
            JsonNode answer = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (answer == null || answer.get("vmsRestarted").asInt() == 0) {
                assertThat(System.nanoTime()).as("restarts in %s", answer).isLessThan(deadline);
                answer =
                        await(http, base + "whatif?fail=rack:" + rack, 200, Duration.ofSeconds(30));
            }
            long at = Times.parse(answer.get("at").asText());
            assertThat(answer.get("answerMs").asDouble()).isLessThan(1_000);

            // vmres whatif on a recording of the same topics, at the same time
            Path file = dir.resolve("topics.jsonl");
            try (Recorder r =
                    Recorder.builder(kafka.endpoint(), file)
                            .untilEnd(true)
                            .progress(
                                    new PrintStream(java.io.OutputStream.nullOutputStream()),
                                    Duration.ofSeconds(5))
                            .build()) {
                r.run();
            }
            WhatIfAnswer expected =
                    WhatIfQuestion.ask(file, at, null, List.of(Failure.parse("rack:" + rack)))
                            .answer();
            Map<String, String> targets = new TreeMap<>();
            for (JsonNode c : answer.get("clusters")) {
                for (JsonNode r : c.get("restarts")) {
                    targets.put(r.get("vm").asText(), r.get("to").asText());
                }
            }
            assertThat(targets).isNotEmpty().isEqualTo(WhatIfQuestion.targets(expected));
            assertThat(answer.get("vmsUnplaced").asInt()).isEqualTo(expected.vmsUnplaced());
            assertThat(answer.get("recoveryS").asDouble()).isEqualTo(expected.recoveryS());
        }
    }

    /** GETs {@code url} until it answers {@code status}, then its JSON. */
    private static JsonNode await(HttpClient http, String url, int status, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last =
                    http.send(
                            HttpRequest.newBuilder(URI.create(url)).GET().build(),
                            HttpResponse.BodyHandlers.ofString());
            if (last.statusCode() == status) {
                return JSON.readTree(last.body());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
        }
        throw new AssertionError(
                url + " did not answer " + status + ": " + (last == null ? "" : last.body()));
    }
}
