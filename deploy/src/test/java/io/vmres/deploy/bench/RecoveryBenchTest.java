package io.vmres.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench recovery} on small fleets writes its results with consistent figures. */
class RecoveryBenchTest {

    @Test
    void theScalingRunWritesEverySizeWithItsBaselineAndBound(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int rc =
                RecoveryBench.run(
                        new RecoveryBench.Options(
                                20,
                                3,
                                List.of(50, 100, 150),
                                60_000,
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty()),
                        dir,
                        "vmres bench recovery --hosts 20 --sizes 50,100,150",
                        new PrintStream(console, true, StandardCharsets.UTF_8));

        JsonNode doc = new ObjectMapper().readTree(dir.resolve("recovery.json").toFile());
        // the main run: 20 hosts, a rack of 2 with 50 VMs, parallel and serial
        assertThat(doc.path("failedVms").asInt()).isEqualTo(50);
        assertThat(doc.path("parallelVmsRecovered").asInt()).isEqualTo(50);
        assertThat(doc.path("parallelRecoveryS").asDouble())
                .isGreaterThanOrEqualTo(doc.path("lowerBoundS").asDouble());
        assertThat(doc.path("serialRecoveryS").asDouble())
                .isGreaterThan(doc.path("parallelRecoveryS").asDouble());
        for (int vms : List.of(50, 100, 150)) {
            String k = "vms" + vms;
            assertThat(doc.path(k + "Recovered").asInt()).as(k).isEqualTo(vms);
            assertThat(doc.path(k + "Hosts").asInt()).as(k).isEqualTo(vms * 2 / 5);
            assertThat(doc.path(k + "ParallelRecoveryS").asDouble())
                    .as(k)
                    .isGreaterThanOrEqualTo(doc.path(k + "LowerBoundS").asDouble());
            assertThat(doc.path("targets").path(k + "RatioToLowerBound").path("max").asDouble())
                    .isEqualTo(1.10);
        }
        // the main run is the 50-VM size; 100 fits the serial budget, 150 does not
        assertThat(doc.path("vms50SerialRecoveryS").asDouble())
                .isEqualTo(doc.path("serialRecoveryS").asDouble());
        assertThat(doc.path("vms100SerialRecoveryS").asDouble())
                .isGreaterThan(doc.path("vms100ParallelRecoveryS").asDouble());
        assertThat(doc.has("vms150SerialRecoveryS")).isFalse();
        assertThat(doc.path("command").asText()).startsWith("vmres bench recovery");
        assertThat(doc.path("machine").path("cores").asInt()).isPositive();
        boolean met = true;
        for (JsonNode t : doc.path("targets")) {
            met &= t.path("met").asBoolean();
        }
        assertThat(rc).isEqualTo(met ? 0 : 1);

        String md = Files.readString(dir.resolve("recovery.md"), StandardCharsets.UTF_8);
        assertThat(md)
                .startsWith("## recovery\n")
                .contains("(recovery-over-time.svg)", "(recovery-scaling.svg)")
                .contains("| 150 | 60 | 150 |")
                .contains("heartbeats fit 60,000 events");
        assertThat(Files.readString(dir.resolve("recovery-scaling.svg"))).startsWith("<svg");
        assertThat(Files.readString(dir.resolve("recovery-over-time.svg"))).startsWith("<svg");
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("scaling: a failure of 150");
    }
}
