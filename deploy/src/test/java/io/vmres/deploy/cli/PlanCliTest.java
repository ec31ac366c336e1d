package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmres plan}: each host's plan and the admission view of a small recorded fleet. */
class PlanCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    @TempDir Path dir;
    private Path recording;

    private int run(String... args) {
        return new Cli(new WiredActions())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .run(args);
    }

    private static String host(String id, String rack, int cpu, boolean spare) {
        return String.format(
                "{\"type\":\"host\",\"host\":\"%s\",\"cluster\":\"c1\",\"cpu\":%d,\"memMb\":65536,"
                        + "\"rack\":\"%s\",\"powerDomain\":\"p-%s\",\"spare\":%b,"
                        + "\"ts\":\"2026-03-01T10:00:00.000Z\"}",
                id, cpu, rack, rack, spare);
    }

    private static String vm(String id, String host) {
        return String.format(
                "{\"type\":\"vm\",\"vm\":\"%s\",\"host\":\"%s\",\"cpu\":4,\"memMb\":4096,"
                        + "\"ts\":\"2026-03-01T10:00:00.000Z\"}",
                id, host);
    }

    /** a and c in rack r1, b in r2, spare s: r1 failing leaves one of its three VMs unplaced. */
    @BeforeEach
    void write() throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("{\"type\":\"meta\",\"name\":\"plan-cli\"}");
        lines.add(host("a", "r1", 8, false));
        lines.add(host("b", "r2", 8, false));
        lines.add(host("c", "r1", 4, false));
        lines.add(host("s", "r3", 4, true));
        lines.add(vm("a1", "a"));
        lines.add(vm("a2", "a"));
        lines.add(vm("b1", "b"));
        lines.add(vm("c1", "c"));
        for (int s = 0; s <= 30; s++) {
            for (String h : List.of("a", "b", "c", "s")) {
                lines.add(
                        String.format(
                                "{\"type\":\"heartbeat\",\"host\":\"%s\",\"channel\":\"mgmt\","
                                        + "\"ts\":\"2026-03-01T10:00:%02d.000Z\"}",
                                h, s));
            }
        }
        recording = dir.resolve("plan-cli.jsonl");
        Files.write(recording, lines);
    }

    @Test
    void printsEveryHostsPlanAndTheAdmissionView() {
        assertThat(run("plan", recording.toString())).as(err.toString()).isEqualTo(Cli.OK);
        String text = out.toString();
        assertThat(text).contains("cluster c1 at 2026-03-01T10:00:30.000Z: 4 hosts, 3 racks");
        // spares first, then the least loaded target with room
        assertThat(text).contains("  a: a1 -> s a2 -> b");
        assertThat(text).contains("  b: b1 -> s");
        assertThat(text).contains("  c: c1 -> s");
        assertThat(text).contains("  s: no HA VM");
        assertThat(text).contains("admission: 2 failures would leave HA VMs unplaced");
        // a1, a2 and c1 (all of priority 500, by id) fail together: c1 is last and finds no room
        assertThat(text).containsPattern("RACK +r1 leaves 1 HA VM unplaced: c1\n");
        assertThat(text).containsPattern("POWER_DOMAIN +p-r1 leaves 1 HA VM unplaced: c1\n");
    }

    @Test
    void jsonAtATimeGivesTheSameForMachines() throws Exception {
        assertThat(run("plan", recording.toString(), "--at", "10s", "--json"))
                .as(err.toString())
                .isEqualTo(Cli.OK);
        JsonNode root = new ObjectMapper().readTree(out.toString());
        assertThat(root.get("at").asText()).isEqualTo("2026-03-01T10:00:10.000Z");
        JsonNode c1 = root.get("clusters").get(0);
        assertThat(c1.get("cluster").asText()).isEqualTo("c1");
        assertThat(c1.get("plans").get("a").get("targets").get("a1").asText()).isEqualTo("s");
        JsonNode admission = c1.get("admission");
        assertThat(admission.get("hosts").asInt()).isEqualTo(4);
        assertThat(admission.get("risks")).hasSize(2);
        assertThat(admission.get("risks").get(0).get("kind").asText()).isEqualTo("RACK");
    }

    @Test
    void aFileThatIsNoRecordingWarnsAndFails() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "shopping list\nmilk\neggs\n");
        assertThat(run("plan", notes.toString())).isEqualTo(Cli.FAILURE);
        assertThat(err.toString())
                .contains("warning: " + notes + " holds no valid event, only 3 dead letters");
        assertThat(out.toString()).doesNotContain("cluster ", "no HA VM unplaced");
    }

    @Test
    void aTimePastTheEndWarnsThatItExtrapolates() {
        assertThat(run("plan", recording.toString(), "--at", "2026-03-01T10:05:00Z"))
                .isEqualTo(Cli.OK);
        assertThat(err.toString())
                .contains(
                        "warning: 2026-03-01T10:05:00.000Z is 270.0 s after the recording's last"
                                + " event (2026-03-01T10:00:30.000Z)");
        assertThat(run("plan", recording.toString(), "--at", "20s")).isEqualTo(Cli.OK);
        assertThat(err.toString()).doesNotContain("20.000Z is");
    }

    @Test
    void aTimeThatIsNeitherATimestampNorADurationIsAUsageError() {
        assertThat(run("plan", recording.toString(), "--at", "soon")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--at soon");
    }
}
