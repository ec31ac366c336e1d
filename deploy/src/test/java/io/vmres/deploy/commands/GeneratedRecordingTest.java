package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.connector.sim.RecordingGenerator.Crash;
import io.vmres.connector.sim.RecordingGenerator.Options;
import io.vmres.engine.Times;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.engine.recording.RecordingReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratedRecordingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // Small enough to replay in a second; two clusters of 12 hosts, so that one crash is no outage.
    private static final Options SMALL =
            new Options(24, 10, Duration.ofMinutes(10), 2, 3, 7, Duration.ofSeconds(5), false);

    @TempDir Path dir;

    @Test
    void everyLineIsAValidOnTimeEvent() throws IOException {
        Path file = dir.resolve("small.jsonl");
        RecordingGenerator.Result r = RecordingGenerator.write(file, SMALL);
        long events = 0;
        try (RecordingReader reader = RecordingReader.open(file, Map.of())) {
            assertThat(reader.name()).isEqualTo("generated-24-hosts-10m-seed-7");
            while (reader.hasNext()) {
                assertThat(reader.next()).isInstanceOf(RecordingReader.EventItem.class);
                events++;
            }
            assertThat(reader.deadLetters()).isZero();
        }
        assertThat(events).isEqualTo(r.events());
        assertThat(r.hosts()).isEqualTo(24);
        assertThat(r.vms()).isPositive();
        assertThat(r.crashes()).hasSize(3);
    }

    @Test
    void theSameSeedGivesTheSameBytes() throws IOException {
        assertThat(bytes(SMALL)).isEqualTo(bytes(SMALL));
        assertThat(bytes(SMALL))
                .isNotEqualTo(
                        bytes(
                                new Options(
                                        24,
                                        10,
                                        Duration.ofMinutes(10),
                                        2,
                                        3,
                                        8,
                                        Duration.ofSeconds(5),
                                        false)));
        Path a = dir.resolve("a.jsonl.gz");
        Path b = dir.resolve("b.jsonl.gz");
        RecordingGenerator.write(a, SMALL);
        RecordingGenerator.write(b, SMALL);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        assertThat(Files.readAllBytes(a)).startsWith((byte) 0x1f, (byte) 0x8b); // gzip
    }

    @Test
    void heartbeatsComeOnBothChannelsSometimesSlightlyOutOfOrder() throws IOException {
        String[] lines = new String(bytes(SMALL), StandardCharsets.UTF_8).split("\n");
        long latest = Long.MIN_VALUE;
        long worst = 0;
        Set<String> channels = new HashSet<>();
        Set<String> types = new HashSet<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            types.add(n.get("type").asText());
            if (n.has("ts")) {
                long ts = Times.parse(n.get("ts").asText());
                if (latest != Long.MIN_VALUE) {
                    worst = Math.max(worst, latest - ts); // how far behind the latest line so far
                }
                latest = Math.max(latest, ts);
            }
            if (n.get("type").asText().equals("heartbeat")) {
                channels.add(n.get("channel").asText());
            }
        }
        assertThat(types).contains("meta", "host", "vm", "heartbeat", "power", "health");
        assertThat(channels).containsExactlyInAnyOrder("mgmt", "storage");
        assertThat(worst).isPositive().isLessThan(1_000);
    }

    @Test
    void replayDeclaresAHostFailureForEveryCrashedHost() throws IOException {
        Path file = dir.resolve("small.jsonl");
        RecordingGenerator.Result r = RecordingGenerator.write(file, SMALL);
        Path out = dir.resolve("out");
        LocalReplay.run(file, out, Map.of());
        assertThat(failedHosts(out))
                .containsExactlyInAnyOrderElementsOf(
                        r.crashes().stream().map(Crash::host).toList());
        assertThat(r.crashes()).anyMatch(Crash::powerOff);
    }

    @Test
    void aRackPowerLossIsOneIncidentOfTheWholeRack() throws IOException {
        Path file = dir.resolve("rack.jsonl");
        // Clusters of 40 hosts: 4 racks in 2 power domains, so the rest of the cluster takes the
        // VMs.
        RecordingGenerator.Result r =
                RecordingGenerator.write(
                        file,
                        new Options(
                                80,
                                5,
                                Duration.ofMinutes(5),
                                2,
                                0,
                                3,
                                Duration.ofSeconds(5),
                                true));
        Path out = dir.resolve("out");
        LocalReplay.run(file, out, Map.of());
        List<String> rack = r.crashes().stream().map(Crash::host).toList();
        assertThat(rack).hasSizeGreaterThan(1);
        assertThat(r.crashes()).extracting(Crash::rack).containsOnly(r.crashes().get(0).rack());
        List<Set<String>> incidents = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("incidents.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.get("kind").asText().equals("HOST_FAILURE")) {
                Set<String> hosts = new HashSet<>();
                n.get("hosts").forEach(h -> hosts.add(h.asText()));
                incidents.add(hosts);
            }
        }
        assertThat(incidents)
                .anySatisfy(hosts -> assertThat(hosts).containsExactlyInAnyOrderElementsOf(rack));
    }

    @Test
    void aSmallFleetRecoversTheVmsOfARackThatLostItsPower() throws IOException {
        // Two clusters of 10 hosts: racks of 3, each its own power domain, so the failed domain
        // leaves the rest of the cluster to take the VMs.
        Path file = dir.resolve("small-rack.jsonl");
        RecordingGenerator.Result r =
                RecordingGenerator.write(
                        file,
                        new Options(
                                20,
                                5,
                                Duration.ofMinutes(5),
                                2,
                                0,
                                1,
                                Duration.ofSeconds(5),
                                true));
        Path out = dir.resolve("out");
        LocalReplay.run(file, out, Map.of());
        Set<String> rack = new HashSet<>(r.crashes().stream().map(Crash::host).toList());
        assertThat(rack).hasSizeGreaterThan(1);
        Set<String> restartedCommands = new HashSet<>();
        for (String line : Files.readAllLines(out.resolve("commands.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.get("action").asText().equals("RESTART_VM")) {
                restartedCommands.add(n.get("commandId").asText());
            }
        }
        long restarts = 0;
        for (String line : Files.readAllLines(out.resolve("results.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (restartedCommands.contains(n.get("commandId").asText())
                    && n.get("status").asText().equals("SUCCEEDED")) {
                restarts++;
            }
        }
        assertThat(restarts).isPositive();
        assertThat(Files.readString(out.resolve("alerts.jsonl"))).doesNotContain("UNPLACED");
        JsonNode incident = null;
        for (JsonNode i : JSON.readTree(out.resolve("summary.json").toFile()).get("incidents")) {
            Set<String> hosts = new HashSet<>();
            i.get("hosts").forEach(h -> hosts.add(h.asText()));
            if (hosts.equals(rack)) {
                incident = i;
            }
        }
        assertThat(incident).isNotNull();
        assertThat(incident.get("state").asText()).isEqualTo("RECOVERED");
        assertThat(incident.get("vmsRecovered").asLong()).isEqualTo(restarts);
        assertThat(incident.get("vmsUnplaced").asInt()).isZero();
    }

    @Test
    void theDefaultRecordingHasAbout600000Events() throws IOException {
        RecordingGenerator.Result r =
                RecordingGenerator.write(OutputStream.nullOutputStream(), Options.defaults());
        assertThat(r.events()).isBetween(560_000L, 640_000L);
        assertThat(r.hosts()).isEqualTo(400);
        assertThat(r.crashes()).hasSize(10);
    }

    private static byte[] bytes(Options o) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordingGenerator.write(out, o);
        return out.toByteArray();
    }

    private static Set<String> failedHosts(Path out) throws IOException {
        Set<String> hosts = new HashSet<>();
        for (String line : Files.readAllLines(out.resolve("incidents.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.get("kind").asText().equals("HOST_FAILURE")) {
                n.get("hosts").forEach(h -> hosts.add(h.asText()));
            }
        }
        return hosts;
    }
}
