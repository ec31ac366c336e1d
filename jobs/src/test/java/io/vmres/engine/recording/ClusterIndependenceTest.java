package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clusters recover independently: a cluster's commands, results and incident figures are the same
 * whether the other clusters fail at the same time or are not there at all.
 */
class ClusterIndependenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = Path.of("src/test/resources/recordings");

    static Stream<Arguments> clusters() {
        return Stream.of(
                Arguments.of("several-clusters-at-once", "c1"),
                Arguments.of("several-clusters-at-once", "c2"),
                Arguments.of("several-clusters-at-once", "c3"),
                Arguments.of("fleet-hour", "c2"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("clusters")
    void clusterDecidesAloneAsAmongOthers(String name, String cluster, @TempDir Path tmp)
            throws Exception {
        Path all = DIR.resolve(name + ".jsonl");
        Path alone = tmp.resolve(name + "-" + cluster + ".jsonl");
        Files.write(alone, onlyCluster(Files.readAllLines(all, StandardCharsets.UTF_8), cluster));
        LocalReplay.run(all, tmp.resolve("all"), Map.of());
        LocalReplay.run(alone, tmp.resolve("alone"), Map.of());

        String prefix = "inc-" + cluster + "-";
        List<String> commands = ofCluster(tmp.resolve("all"), prefix);
        assertThat(commands).isNotEmpty();
        assertThat(ofCluster(tmp.resolve("alone"), prefix)).isEqualTo(commands);
        List<JsonNode> figures = figures(tmp.resolve("all"), prefix);
        assertThat(figures).isNotEmpty();
        assertThat(figures(tmp.resolve("alone"), prefix)).isEqualTo(figures);
    }

    /** The lines of the recording about the cluster's hosts and VMs, and those about no host. */
    private static List<String> onlyCluster(List<String> lines, String cluster) throws IOException {
        Map<String, String> hostCluster = new TreeMap<>();
        Map<String, String> vmHost = new TreeMap<>();
        List<JsonNode> parsed = new ArrayList<>();
        for (String l : lines) {
            JsonNode e = JSON.readTree(l);
            parsed.add(e);
            if (e.path("type").asText().equals("host")) {
                hostCluster.put(e.get("host").asText(), e.get("cluster").asText());
            } else if (e.path("type").asText().equals("vm")) {
                vmHost.put(e.get("vm").asText(), e.get("host").asText());
            }
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode e = parsed.get(i);
            String host =
                    e.has("host")
                            ? e.get("host").asText()
                            : e.has("vm") ? vmHost.get(e.get("vm").asText()) : null;
            if (host == null || cluster.equals(hostCluster.get(host))) {
                kept.add(lines.get(i));
            }
        }
        return kept;
    }

    /** The cluster's commands, each with its result, as written. */
    private static List<String> ofCluster(Path out, String prefix) throws IOException {
        TreeSet<String> ids = new TreeSet<>();
        List<String> got = new ArrayList<>();
        for (String l : Files.readAllLines(out.resolve("commands.jsonl"))) {
            JsonNode c = JSON.readTree(l);
            if (c.get("incidentId").asText().startsWith(prefix)) {
                ids.add(c.get("commandId").asText());
                got.add(l);
            }
        }
        for (String l : Files.readAllLines(out.resolve("results.jsonl"))) {
            if (ids.contains(JSON.readTree(l).get("commandId").asText())) {
                got.add(l);
            }
        }
        return got;
    }

    private static List<JsonNode> figures(Path out, String prefix) throws IOException {
        List<JsonNode> got = new ArrayList<>();
        for (JsonNode inc : JSON.readTree(out.resolve("summary.json").toFile()).get("incidents")) {
            if (inc.get("incidentId").asText().startsWith(prefix)) {
                got.add(inc);
            }
        }
        return got;
    }
}
