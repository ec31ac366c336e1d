package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.recording.LocalReplay;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmres bench recovery} on a small fleet, through the command line, for real. */
class BenchRecoveryCliTest {
    /** The spec's checker, beside the repository where this machine has it. */
    private static final Path CHECKER =
            Path.of("..", "..", "shared", "tools", "check_replay.py").toAbsolutePath().normalize();

    @TempDir Path dir;

    @Test
    void smallRackRecoveryIsFasterThanSerialAndNoFasterThanItsLowerBound() throws Exception {
        Path json = dir.resolve("recovery.json");
        Path svg = dir.resolve("recovery.svg");
        Path recording = dir.resolve("recovery.jsonl");
        StringWriter err = new StringWriter();
        int code =
                new Cli(new WiredActions())
                        .setErr(new PrintWriter(err, true))
                        .run(
                                "bench",
                                "recovery",
                                "--hosts",
                                "40",
                                "--seed",
                                "3",
                                "--json",
                                json.toString(),
                                "--plot",
                                svg.toString(),
                                "--recording",
                                recording.toString(),
                                "--sizes",
                                "100",
                                "--out",
                                dir.resolve("results").toString());
        assertThat(code).as(err.toString()).isEqualTo(Cli.OK);

        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        // 40 hosts: a rack of 4 hosts with 25 VMs each loses power
        assertThat(doc.get("failedHosts").asInt()).isEqualTo(4);
        assertThat(doc.get("vms").asInt()).isEqualTo(100);
        double parallel = doc.get("parallelSeconds").asDouble();
        double serial = doc.get("serialSeconds").asDouble();
        double bound = doc.get("lowerBoundSeconds").asDouble();
        assertThat(doc.get("speedupVsSerial").asDouble())
                .isGreaterThan(1)
                .isCloseTo(serial / parallel, org.assertj.core.data.Offset.offset(0.01));
        assertThat(doc.get("ratioToLowerBound").asDouble())
                .isGreaterThanOrEqualTo(1)
                .isCloseTo(parallel / bound, org.assertj.core.data.Offset.offset(0.01));
        // serial: one map (2 s) and one restart (30 s) after the other for each VM, after detection
        assertThat(serial).isGreaterThanOrEqualTo(12 + 100 * 32);
        assertThat(doc.get("serial").get("commands").get("MAP_DISKS").asInt()).isEqualTo(100);
        assertThat(doc.get("parallel").get("vmsRecovered").asInt()).isEqualTo(100);
        assertThat(doc.get("parallel").get("recoveredAtSeconds")).hasSize(100);
        assertThat(Files.readString(svg)).startsWith("<svg").contains("polyline");

        // the parallel run's input, replayed as vmres replay does without Flink: the same recovery
        LocalReplay.run(recording, dir.resolve("replay"), Map.of());
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("replay/summary.json").toFile());
        JsonNode incident = summary.get("incidents").get(0);
        assertThat(incident.get("recoveryS").asDouble()).isEqualTo(parallel);
        assertThat(incident.get("vmsRecovered").asInt()).isEqualTo(100);
        assertThat(summary.get("incidents")).hasSize(1);
        if (Files.exists(CHECKER)) {
            Process p =
                    new ProcessBuilder(
                                    "python3",
                                    CHECKER.toString(),
                                    recording.toString(),
                                    dir.resolve("replay").toString())
                            .redirectErrorStream(true)
                            .start();
            String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(report).isZero();
        }
    }
}
