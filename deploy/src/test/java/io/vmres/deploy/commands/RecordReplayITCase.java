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
import io.vmres.engine.recording.RecordingReader;
import io.vmres.job.replay.ReplayJob;
import io.vmres.schema.Incident;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live incident, recorded and replayed: the embedded runtime recovers a crashed host, {@link
 * Recorder} writes what was on the input topics, and the replay of that recording opens the same
 * incidents (kind, hosts) with the same detection time, within a second.
 */
@Tag("slow")
class RecordReplayITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An incident as first declared: what a replay must reproduce. */
    record Opening(String incidentId, String kind, List<String> hosts, long detectionMs) {}

    @TempDir static Path tmp;
    private static Path recording;
    private static List<Opening> liveOpenings;
    private static String victim;

    /**
     * The live run, before the test: its job runs on a local environment of its own, which the
     * MiniCluster extension's test environment forbids within a test.
     */
    @BeforeAll
    static void recordALiveIncident() throws Exception {
        SimulatedFleet fleet = LiveRuns.smallFleet(11);
        SimulatedHypervisor hypervisor = QuickHypervisor.of(fleet, 11);
        recording = tmp.resolve("crash.jsonl");
        FleetHost crashed =
                fleet.hosts().stream().filter(h -> !h.spare() && h.bmc()).findFirst().orElseThrow();
        victim = crashed.host();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet)
                                .kafka(KAFKA.kafka())
                                .hypervisor(hypervisor)
                                .start();
                DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {})) {
            LiveRuns.awaitTelemetry(runtime);
            fleet.crash(victim);
            LiveRuns.awaitRecovered(log, victim, Duration.ofSeconds(60));
            liveOpenings = openings(liveLines(log.incidents()));

            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            Recorder.Result recorded =
                    Recorder.builder(KAFKA.bootstrapServers(), recording)
                            .untilEnd(true)
                            .progress(
                                    new PrintStream(progress, true, StandardCharsets.UTF_8),
                                    Duration.ofSeconds(1))
                            .build()
                            .run();
            assertThat(recorded.skipped()).isEmpty();
            assertThat(recorded.lines()).isPositive();
            assertThat(progress.toString(StandardCharsets.UTF_8))
                    .contains("Recorded " + recorded.lines() + " events into " + recording);
        }
    }

    @Test
    void replayOfARecordedIncidentOpensTheSameIncidents() throws Exception {
        // The recording replays without a dead letter, late events included.
        try (RecordingReader reader = RecordingReader.open(recording, Map.of())) {
            reader.forEachRemaining(
                    item -> assertThat(item).isInstanceOf(RecordingReader.EventItem.class));
            assertThat(reader.name()).isEqualTo("crash");
            assertThat(reader.deadLetters()).isZero();
        }

        Path outDir = tmp.resolve("out");
        ReplayJob.Result replay =
                ReplayJob.run(
                        StreamExecutionEnvironment.getExecutionEnvironment(),
                        recording,
                        outDir,
                        Map.of());
        assertThat(replay.deadLetters()).isZero();

        List<Opening> replayOpenings =
                openings(Files.readAllLines(outDir.resolve("incidents.jsonl")));
        assertThat(liveOpenings)
                .extracting(Opening::kind, Opening::hosts)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("HOST_FAILURE", List.of(victim)));
        assertThat(replayOpenings)
                .as("replayed incidents")
                .extracting(Opening::kind, Opening::hosts)
                .containsExactlyElementsOf(
                        liveOpenings.stream()
                                .map(o -> org.assertj.core.groups.Tuple.tuple(o.kind(), o.hosts()))
                                .toList());
        for (int i = 0; i < liveOpenings.size(); i++) {
            long liveMs = liveOpenings.get(i).detectionMs();
            long replayMs = replayOpenings.get(i).detectionMs();
            // On the test's output, for whoever tunes detection: live and replay side by side.
            System.out.printf(
                    "detection of %s: live %d ms, replay %d ms%n",
                    liveOpenings.get(i).hosts(), liveMs, replayMs);
            assertThat(replayMs)
                    .as(
                            "replay detection (ms) of %s, live %d ms",
                            replayOpenings.get(i).hosts(), liveMs)
                    .isBetween(liveMs - 1_000, liveMs + 1_000);
        }
    }

    /** The live incidents as lines of {@code incidents.jsonl}. */
    private static List<String> liveLines(List<Incident> incidents) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Incident i : incidents) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("incidentId", i.getIncidentId());
            line.put("kind", i.getKind().name());
            line.put("hosts", i.getHosts());
            line.put("state", i.getState().name());
            line.put(
                    "evidence",
                    i.getEvidenceJson() == null ? null : JSON.readTree(i.getEvidenceJson()));
            line.put("ts", Times.format(i.getTs().toEpochMilli()));
            lines.add(JSON.writeValueAsString(line));
        }
        return lines;
    }

    /** Each incident's first line, in order of opening, with its detection time. */
    private static List<Opening> openings(List<String> lines) throws Exception {
        Map<String, Opening> first = new LinkedHashMap<>();
        for (String text : lines) {
            JsonNode line = JSON.readTree(text);
            String id = line.get("incidentId").asText();
            if (first.containsKey(id)) {
                continue;
            }
            List<String> hosts = new ArrayList<>();
            line.get("hosts").forEach(h -> hosts.add(h.asText()));
            long opened = Times.parse(line.get("ts").asText());
            // Detection: opening minus the last heartbeat of its earliest-silent first-named host.
            long lastBeat = Long.MAX_VALUE;
            for (String h : hosts) {
                JsonNode beat = line.path("evidence").path("lastHeartbeat").path(h);
                if (beat.isTextual()) {
                    lastBeat = Math.min(lastBeat, Times.parse(beat.asText()));
                }
            }
            assertThat(lastBeat)
                    .as("evidence.lastHeartbeat of %s", text)
                    .isNotEqualTo(Long.MAX_VALUE);
            first.put(
                    id,
                    new Opening(
                            id, line.get("kind").asText(), List.copyOf(hosts), opened - lastBeat));
        }
        return new ArrayList<>(first.values());
    }
}
