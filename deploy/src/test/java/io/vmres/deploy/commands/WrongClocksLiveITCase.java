package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.runtime.DecisionLog;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuns;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.deploy.runtime.QuickHypervisor;
import io.vmres.engine.Times;
import io.vmres.job.replay.ReplayJob;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spec's Wrong clocks, live: on input topics of the broker's append time, a host whose clock
 * runs 30 s fast, one whose clock runs 25 s slow and one heartbeat stamped a year ahead make no
 * host fail; CLOCK_SKEW alerts name them; a crash of another host is declared 10 to 13 s after its
 * last heartbeat as ever; and the recording of the run replays to the same incidents and alerts.
 */
@Tag("slow")
class WrongClocksLiveITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroCodec CODEC = new AvroCodec();

    @TempDir static Path tmp;
    private static Path recording;
    private static String victim;
    private static String fast;
    private static String slow;
    private static String yearAhead;
    private static List<Incident> liveIncidents;
    private static Set<String> liveSkewed;
    private static long detectionMs;

    @BeforeAll
    static void runWithWrongClocks() throws Exception {
        SimulatedFleet fleet = LiveRuns.smallFleet(13);
        SimulatedHypervisor hypervisor = QuickHypervisor.of(fleet, 13);
        List<String> hosts =
                fleet.hosts().stream()
                        .filter(h -> !h.spare() && h.bmc())
                        .map(FleetHost::host)
                        .toList();
        victim = hosts.get(0);
        fast = hosts.get(1);
        slow = hosts.get(2);
        yearAhead = hosts.get(3);
        recording = tmp.resolve("wrong-clocks-live.jsonl");
        ScheduledExecutorService clocks = Executors.newSingleThreadScheduledExecutor();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet)
                                .kafka(KAFKA.kafka())
                                .hypervisor(hypervisor)
                                .start();
                DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {});
                Producer<byte[], byte[]> producer =
                        LiveRuntime.producer(KAFKA.bootstrapServers())) {
            LiveRuns.awaitTelemetry(runtime);
            // two hosts go on beating with wrong clocks only: the fleet's own beats of them stop
            fleet.hang(fast);
            fleet.hang(slow);
            clocks.scheduleAtFixedRate(
                    () -> {
                        long now = System.currentTimeMillis();
                        beat(producer, fast, now + 30_000);
                        beat(producer, slow, now - 25_000);
                    },
                    0,
                    500,
                    TimeUnit.MILLISECONDS);
            beat(producer, yearAhead, System.currentTimeMillis() + Duration.ofDays(365).toMillis());
            producer.flush();
            // past heartbeatTimeout + outOfOrderness with the wrong clocks alone
            Thread.sleep(15_000);
            fleet.crash(victim);
            Incident recovered = LiveRuns.awaitRecovered(log, victim, Duration.ofSeconds(120));
            Incident opened =
                    log.incidents().stream()
                            .filter(i -> i.getIncidentId().equals(recovered.getIncidentId()))
                            .filter(i -> i.getState().name().equals("OPEN"))
                            .findFirst()
                            .orElseThrow();
            JsonNode evidence = JSON.readTree(opened.getEvidenceJson());
            detectionMs =
                    opened.getTs().toEpochMilli()
                            - Times.parse(evidence.path("lastHeartbeat").path(victim).asText());
            clocks.shutdownNow();
            clocks.awaitTermination(10, TimeUnit.SECONDS);
            producer.flush();
            liveIncidents = log.incidents();
            liveSkewed = new TreeSet<>();
            log.alerts().stream()
                    .filter(a -> a.getKind().equals("CLOCK_SKEW"))
                    .forEach(a -> liveSkewed.add(a.getHost()));

            Recorder.Result recorded =
                    Recorder.builder(KAFKA.bootstrapServers(), recording)
                            .untilEnd(true)
                            .progress(
                                    new PrintStream(OutputStream.nullOutputStream()),
                                    Duration.ofSeconds(5))
                            .build()
                            .run();
            assertThat(recorded.lines()).isPositive();
        } finally {
            clocks.shutdownNow();
        }
    }

    private static void beat(Producer<byte[], byte[]> producer, String host, long ts) {
        for (Channel c : Channel.values()) {
            producer.send(
                    new ProducerRecord<>(
                            Topics.HEARTBEAT,
                            host.getBytes(StandardCharsets.UTF_8),
                            CODEC.encode(
                                    Heartbeat.newBuilder()
                                            .setHost(host)
                                            .setChannel(c)
                                            .setTs(Instant.ofEpochMilli(ts))
                                            .build())));
        }
    }

    @Test
    void wrongClocksFailNoHostAreToldAndACrashIsDetectedAsEver() {
        assertThat(liveIncidents)
                .as("incidents")
                .allSatisfy(i -> assertThat(i.getHosts()).containsExactly(victim));
        assertThat(liveIncidents)
                .filteredOn(i -> i.getState().name().equals("OPEN"))
                .extracting(i -> i.getKind().name())
                .containsExactly("HOST_FAILURE");
        assertThat(detectionMs).as("detection (ms)").isBetween(10_000L, 13_000L);
        assertThat(liveSkewed).contains(fast, slow, yearAhead);
    }

    @Test
    void theRecordingReplaysToTheSameIncidentsAndClockAlerts() throws Exception {
        Path out = tmp.resolve("out");
        ReplayJob.run(
                StreamExecutionEnvironment.getExecutionEnvironment(), recording, out, Map.of());
        List<String> opened = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("incidents.jsonl"))) {
            JsonNode i = JSON.readTree(line);
            if (i.get("state").asText().equals("OPEN")) {
                opened.add(i.get("kind").asText() + " " + i.get("hosts"));
            }
        }
        assertThat(opened).containsExactly("HOST_FAILURE [\"" + victim + "\"]");
        Set<String> skewed = new TreeSet<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            JsonNode a = JSON.readTree(line);
            if (a.get("kind").asText().equals("CLOCK_SKEW")) {
                skewed.add(a.get("host").asText());
            }
        }
        assertThat(skewed).contains(fast, slow, yearAhead);
        assertThat(skewed).isEqualTo(liveSkewed);
    }
}
