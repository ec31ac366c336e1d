package io.vmres.job.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.recording.LocalReplay;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A line past the spec's bounds is one dead letter, in the job graph and in the engines alone, and
 * the replay goes on.
 */
class PoisonLineITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void heartbeatWithAHostName70000CharactersLongIsOneDeadLetter(@TempDir Path tmp)
            throws Exception {
        String host = "h".repeat(70_000);
        Path recording = tmp.resolve("long-host.jsonl");
        Files.writeString(
                recording,
                String.join(
                        "\n",
                        "{\"type\":\"host\",\"ts\":\"2026-03-01T10:00:00Z\",\"host\":\"h1\","
                                + "\"cluster\":\"c1\",\"cpu\":8,\"memMb\":1024}",
                        "{\"type\":\"heartbeat\",\"ts\":\"2026-03-01T10:00:01Z\",\"host\":\""
                                + host
                                + "\",\"channel\":\"mgmt\"}",
                        "{\"type\":\"heartbeat\",\"ts\":\"2026-03-01T10:00:02Z\",\"host\":\"h1\","
                                + "\"channel\":\"mgmt\"}",
                        ""),
                StandardCharsets.UTF_8);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        ReplayJob.run(env, recording, tmp.resolve("job"), Map.of());
        LocalReplay.run(recording, tmp.resolve("engines"), Map.of());

        for (String out : List.of("job", "engines")) {
            List<String> dead = Files.readAllLines(tmp.resolve(out).resolve("dead-letter.jsonl"));
            assertThat(dead).as(out).hasSize(1);
            JsonNode d = JSON.readTree(dead.get(0));
            assertThat(d.get("line").asInt()).isEqualTo(2);
            assertThat(d.get("reason").asText()).contains("host");
            JsonNode summary = JSON.readTree(tmp.resolve(out).resolve("summary.json").toFile());
            assertThat(summary.get("deadLetters").asInt()).as(out).isEqualTo(1);
            assertThat(summary.get("events").asInt()).as(out).isEqualTo(2);
        }
        assertThat(Files.readString(tmp.resolve("job").resolve("dead-letter.jsonl")))
                .isEqualTo(Files.readString(tmp.resolve("engines").resolve("dead-letter.jsonl")));
    }
}
