package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.deploy.cli.Actions.BenchTarget;
import io.vmres.deploy.cli.Actions.GenerateArgs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateAndBenchCliTest {
    private final RecordingActions actions = new RecordingActions();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    @TempDir Path dir;

    private int run(String... args) {
        return new Cli(actions)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .run(args);
    }

    @Test
    void generateDefaultsToAnHourOf400Hosts() {
        Path file = dir.resolve("fleet.jsonl.gz");
        assertThat(run("generate", "--out", file.toString())).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new GenerateArgs(
                                file,
                                400,
                                10,
                                Duration.ofHours(1),
                                4,
                                10,
                                1,
                                Duration.ofSeconds(5),
                                false));
    }

    @Test
    void generateTakesEveryOption() {
        Path file = dir.resolve("small.jsonl");
        assertThat(
                        run(
                                "generate",
                                "--out",
                                file.toString(),
                                "--hosts",
                                "20",
                                "--vms-per-host",
                                "3",
                                "--duration",
                                "10m",
                                "--clusters",
                                "2",
                                "--failures",
                                "2",
                                "--seed",
                                "7",
                                "--heartbeat-interval",
                                "2s",
                                "--rack-power-loss"))
                .isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new GenerateArgs(
                                file,
                                20,
                                3,
                                Duration.ofMinutes(10),
                                2,
                                2,
                                7,
                                Duration.ofSeconds(2),
                                true));
    }

    @Test
    void generateRefusesWhatCannotBeGenerated() {
        assertThat(run("generate")).isEqualTo(Cli.USAGE);
        String f = dir.resolve("x.jsonl").toString();
        assertThat(run("generate", "--out", dir.toString())).isEqualTo(Cli.USAGE);
        assertThat(run("generate", "--out", f, "--hosts", "0")).isEqualTo(Cli.USAGE);
        assertThat(run("generate", "--out", f, "--hosts", "3", "--clusters", "4"))
                .isEqualTo(Cli.USAGE);
        assertThat(run("generate", "--out", f, "--duration", "0s")).isEqualTo(Cli.USAGE);
        assertThat(run("generate", "--out", f, "--heartbeat-interval", "10ms"))
                .isEqualTo(Cli.USAGE);
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void benchReplayDefaults() {
        // the detailed figures go to the results folder unless --json says where
        assertThat(run("bench", "replay", "--out", dir.toString())).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new BenchArgs(
                                BenchTarget.REPLAY,
                                400,
                                Duration.ofHours(1),
                                3,
                                1,
                                Optional.of(dir.resolve("replay-details.json")),
                                Optional.empty(),
                                Optional.empty(),
                                1,
                                dir,
                                List.of(),
                                false,
                                "vmres bench replay --out " + dir));
    }

    @Test
    void benchReplayOptions() {
        Path json = dir.resolve("bench.json");
        assertThat(
                        run(
                                "bench",
                                "replay",
                                "--hosts",
                                "50",
                                "--duration",
                                "5m",
                                "--runs",
                                "1",
                                "--json",
                                json.toString(),
                                "--out",
                                dir.toString()))
                .isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new BenchArgs(
                                BenchTarget.REPLAY,
                                50,
                                Duration.ofMinutes(5),
                                1,
                                1,
                                Optional.of(json),
                                Optional.empty(),
                                Optional.empty(),
                                1,
                                dir,
                                List.of(),
                                false,
                                "vmres bench replay --hosts 50 --duration 5m --runs 1 --json "
                                        + json
                                        + " --out "
                                        + dir));
    }

    @Test
    void benchRecoveryOptions() {
        Path json = dir.resolve("recovery.json");
        Path svg = dir.resolve("recovery.svg");
        assertThat(
                        run(
                                "bench",
                                "recovery",
                                "--hosts",
                                "100",
                                "--seed",
                                "7",
                                "--json",
                                json.toString(),
                                "--plot",
                                svg.toString(),
                                "--out",
                                dir.toString()))
                .isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new BenchArgs(
                                BenchTarget.RECOVERY,
                                100,
                                Duration.ofHours(1),
                                3,
                                1,
                                Optional.of(json),
                                Optional.of(svg),
                                Optional.empty(),
                                7,
                                dir,
                                List.of(100, 1000, 10000),
                                false,
                                "vmres bench recovery --hosts 100 --seed 7 --json "
                                        + json
                                        + " --plot "
                                        + svg
                                        + " --out "
                                        + dir));
        assertThat(run("bench", "recovery", "--sizes", "100,30")).isEqualTo(Cli.USAGE);
        assertThat(run("bench", "recovery", "--hosts", "10")).isEqualTo(Cli.USAGE);
    }

    @Test
    void benchNeedsSomethingItKnowsToMeasure() {
        assertThat(run("bench")).isEqualTo(Cli.USAGE);
        assertThat(run("bench", "kafka")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).containsIgnoringCase("replay");
        assertThat(run("bench", "replay", "--runs", "0")).isEqualTo(Cli.USAGE);
        assertThat(run("bench", "ingest", "--hosts", "2")).isEqualTo(Cli.USAGE);
        assertThat(run("bench", "state", "--hosts", "2")).isEqualTo(Cli.USAGE);
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void helpListsGenerateAndBench() {
        assertThat(run("--help")).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("generate", "bench");
        assertThat(run("generate", "--help")).isEqualTo(Cli.OK);
        assertThat(run("bench", "--help")).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("Usage: vmres generate", "Usage: vmres bench");
        // every part is listed, with examples
        assertThat(out.toString())
                .contains("replay", "recovery", "ingest", "detect", "state", "all", "Examples:");
        for (String part :
                new String[] {"replay", "recovery", "ingest", "detect", "state", "all"}) {
            assertThat(run("bench", part, "--help")).isEqualTo(Cli.OK);
            assertThat(out.toString()).contains("Usage: vmres bench " + part, "--out", "--json");
        }
    }
}
