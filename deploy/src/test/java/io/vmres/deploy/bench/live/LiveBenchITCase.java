package io.vmres.deploy.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short {@code vmres bench live}: two single-host crashes and a rack of ten hosts through Kafka,
 * the job and the simulated fleet. Every crashed host's VMs come back exactly once, and every
 * figure is there and consistent: no recovery beats its floor.
 */
@Tag("slow")
class LiveBenchITCase {
    @TempDir Path dir;

    @Test
    void everyCrashedHostsVmsComeBackOnceAndNoRecoveryBeatsItsFloor() throws Exception {
        LiveBench.Options options =
                new LiveBench.Options(
                        2, 10, 3, 5, Duration.ofMillis(200), Duration.ofSeconds(1), false, true, 3);
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        LiveBench.Runs runs =
                LiveBench.measure(options, new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertThat(runs.now().singles()).hasSize(2);
        assertThat(runs.now().rack().hosts()).isEqualTo(10);
        assertEveryCrashRecoveredOnceAboveItsFloor(runs.now());

        Map<String, Object> doc =
                new LiveReport(
                                options,
                                Settings.DEFAULTS,
                                LiveReport.machine(),
                                "test",
                                runs.now(),
                                null)
                        .write(dir);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("live.json").toFile());
        for (String key :
                List.of(
                        "singleHostRecoveryP50S",
                        "singleHostFloorP50S",
                        "rackRecoveryS",
                        "rackFloorS")) {
            assertThat(json.path(key).isNumber()).as(key).isTrue();
        }
        assertThat(json.path("rackRecoveryS").asDouble())
                .isGreaterThanOrEqualTo(json.path("rackFloorS").asDouble());
        assertThat(json.path("everyVmRecoveredOnce").asBoolean()).isTrue();
        assertThat(json.path("targets").path("rackRatio").has("met")).isTrue();
        assertThat(doc).containsKey("machine");
        assertThat(Files.readString(dir.resolve("live.md"))).startsWith("## live\n");
        assertThat(Files.readString(dir.resolve("live-recovery.svg")))
                .startsWith("<svg")
                .doesNotContain("<script");
    }

    /**
     * Every crash of {@code run}: its VMs back, each once; no recovery under its floor, nor the
     * job's own order without hops; the first call after detection; the job's recoveryS the same.
     */
    static void assertEveryCrashRecoveredOnceAboveItsFloor(LiveBench.Run run) {
        List<LiveCrash> crashes = new ArrayList<>(run.singles());
        if (run.rack() != null) {
            crashes.add(run.rack());
        }
        assertThat(crashes)
                .allSatisfy(
                        c -> {
                            assertThat(c.vms()).isPositive();
                            assertThat(c.recovered()).as("VMs back").isEqualTo(c.vms());
                            assertThat(c.exactlyOnce()).as("each restarted once").isTrue();
                            assertThat(c.measuredS())
                                    .as("measured against its floor")
                                    .isGreaterThanOrEqualTo(c.floor().total());
                            // the floor bounds every schedule of these calls, the job's order too
                            assertThat(c.noHops().total())
                                    .isGreaterThanOrEqualTo(c.floor().total() - 1e-9);
                            // detection alone takes heartbeatTimeout + outOfOrderness
                            assertThat(c.firstCallS()).isGreaterThanOrEqualTo(12.0);
                            // the job's recoveryS is the recovery from the last heartbeat too
                            assertThat(c.jobRecoveryS()).isNotNull();
                            assertThat(c.jobRecoveryS())
                                    .isBetween(c.measuredS() - 1.0, c.measuredS() + 1.0);
                        });
    }
}
