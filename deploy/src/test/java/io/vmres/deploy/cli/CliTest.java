package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.cli.Actions.ConfirmArgs;
import io.vmres.deploy.cli.Actions.ConnectorArgs;
import io.vmres.deploy.cli.Actions.ConnectorType;
import io.vmres.deploy.cli.Actions.DemoArgs;
import io.vmres.deploy.cli.Actions.RecordArgs;
import io.vmres.deploy.cli.Actions.ReplayArgs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {
    private final RecordingActions actions = new RecordingActions();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    @TempDir Path dir;
    private Path recording;

    @BeforeEach
    void recording() throws IOException {
        recording = Files.writeString(dir.resolve("rack-failure.jsonl"), "{\"type\":\"meta\"}\n");
    }

    private int run(String... args) {
        return new Cli(actions)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .run(args);
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(run("--help")).isEqualTo(Cli.OK);
        assertThat(out.toString())
                .contains(
                        "Usage: vmres",
                        "demo",
                        "kafka",
                        "replay",
                        "record",
                        "confirm",
                        "connector");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "kafka", "replay", "record", "confirm", "connector"})
    void everyCommandHasHelp(String command) {
        assertThat(run(command, "--help")).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("Usage: vmres " + command).contains("--help");
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void connectorHelpExplainsTheTypesAndTheConfigurationFile() {
        assertThat(run("connector", "--help")).isEqualTo(Cli.OK);
        // Help lines wrap anywhere, after a dot too.
        assertThat(out.toString().replaceAll("\\s+", " ").replace(". ", "."))
                .contains("sim, libvirt, ipmi", "libvirt.host.HOST.uri", "ipmi.host.HOST.address")
                .contains("exactly.once", "docs/connectors.md");
    }

    @Test
    void versionNamesTheBuildAndWhatItRunsOn() {
        assertThat(run("--version")).isEqualTo(Cli.OK);
        assertThat(out.toString()).startsWith("vmres ").contains("Flink 2.", "Kafka 4.", "Java ");
    }

    @Test
    void noCommandIsAUsageError() {
        assertThat(run()).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("Missing a command").contains("Usage: vmres");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        assertThat(run("demo", "--hostz", "3")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--hostz");
    }

    @Test
    void demoDefaults() {
        assertThat(run("demo")).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new DemoArgs(Optional.empty(), 200, 10, Duration.ofSeconds(30), 1));
    }

    @Test
    void demoTakesDurationsInEveryForm() {
        assertThat(
                        run(
                                "demo",
                                "--duration",
                                "5m",
                                "--hosts",
                                "3",
                                "--vms-per-host",
                                "0",
                                "--crash-every",
                                "PT45S",
                                "--seed",
                                "7"))
                .isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new DemoArgs(
                                Optional.of(Duration.ofMinutes(5)),
                                3,
                                0,
                                Duration.ofSeconds(45),
                                7));
    }

    @Test
    void demoRefusesBadValues() {
        assertThat(run("demo", "--duration", "5")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("with a unit");
        assertThat(run("demo", "--hosts", "0")).isEqualTo(Cli.USAGE);
        assertThat(run("demo", "--crash-every", "0s")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--crash-every must be longer than zero");
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void replayCollectsSettingsInOrder() {
        Path out = dir.resolve("o");
        assertThat(
                        run(
                                "replay",
                                recording.toString(),
                                "--out",
                                out.toString(),
                                "--set",
                                "heartbeatTimeout=PT5S",
                                "--set",
                                "maxAttempts=5",
                                "--parallelism",
                                "2"))
                .isEqualTo(Cli.OK);
        ReplayArgs args = (ReplayArgs) actions.calls.get(0);
        assertThat(args.recording()).isEqualTo(recording);
        assertThat(args.out()).isEqualTo(out);
        assertThat(args.settings())
                .containsExactly(
                        Map.entry("heartbeatTimeout", "PT5S"), Map.entry("maxAttempts", "5"));
        assertThat(args.parallelism()).isEqualTo(2);
        assertThat(args.config()).isEmpty();
    }

    @Test
    void replayDefaultsItsOutputFolderToTheRecordingsName() {
        assertThat(run("replay", recording.toString())).isEqualTo(Cli.OK);
        ReplayArgs args = (ReplayArgs) actions.calls.get(0);
        assertThat(args.out()).isEqualTo(Path.of("out", "rack-failure"));
        assertThat(args.parallelism()).isEqualTo(1);
    }

    @Test
    void replayRefusesAMissingRecordingOrABadSetting() {
        assertThat(run("replay", dir.resolve("nope.jsonl").toString())).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("nope.jsonl is not a file");
        assertThat(run("replay", recording.toString(), "--set", "heartbeatTimeout"))
                .isEqualTo(Cli.USAGE);
        assertThat(run("replay", recording.toString(), "--set", "=PT5S")).isEqualTo(Cli.USAGE);
        assertThat(run("replay", recording.toString(), "--config", "missing.properties"))
                .isEqualTo(Cli.USAGE);
        assertThat(run("replay")).isEqualTo(Cli.USAGE);
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void anUnknownCommandIsAUsageErrorWhateverFollows() {
        assertThat(run("nosuch", "--help")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("Unknown command: 'nosuch'");
        assertThat(out.toString()).isEmpty();
        assertThat(run("nosuch")).isEqualTo(Cli.USAGE);
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void anUnknownSettingListsTheKnownOnesAndTheNearest() {
        assertThat(run("replay", recording.toString(), "--set", "heartbeatTimout=5s"))
                .isEqualTo(Cli.USAGE);
        assertThat(err.toString())
                .contains("unknown setting 'heartbeatTimout'; did you mean heartbeatTimeout?")
                .contains("maxClockSkew", "smartReallocatedRise", "docs/settings.md");
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void settingsTakeDurationsAsEveryDurationOptionDoes() {
        assertThat(
                        run(
                                "replay",
                                recording.toString(),
                                "--set",
                                "heartbeatTimeout=5s",
                                "--set",
                                "commandTimeout=2m",
                                "--set",
                                "maxClockSkew=PT0.5S",
                                "--set",
                                "maxAttempts=5"))
                .isEqualTo(Cli.OK);
        assertThat(((ReplayArgs) actions.calls.get(0)).settings())
                .containsExactly(
                        Map.entry("heartbeatTimeout", "PT5S"),
                        Map.entry("commandTimeout", "PT2M"),
                        Map.entry("maxClockSkew", "PT0.5S"),
                        Map.entry("maxAttempts", "5"));
    }

    @Test
    void aBadSettingValueIsAUsageError() throws IOException {
        assertThat(run("replay", recording.toString(), "--set", "maxAttempts=0"))
                .isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("maxAttempts must be an integer >= 1");
        assertThat(run("replay", recording.toString(), "--set", "heartbeatTimeout=5"))
                .isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("heartbeatTimeout must be a duration such as 5s");
        Path config = Files.writeString(dir.resolve("s.properties"), "heartbeatTimeot=5s\n");
        assertThat(run("replay", recording.toString(), "--config", config.toString()))
                .isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("unknown setting 'heartbeatTimeot'");
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void replayHelpSaysPortZeroPicksAFreeOne() {
        assertThat(run("replay", "--help")).isEqualTo(Cli.OK);
        assertThat(out.toString().replaceAll("\\s+", " "))
                .contains("--dashboard-port 0 picks a free one");
    }

    @Test
    void confirmWaitsForTheJobsAnswerAsLongAsTold() {
        assertThat(run("confirm", "h1", "--reason", "r", "--wait", "10s")).isEqualTo(Cli.OK);
        assertThat(((ConfirmArgs) actions.calls.get(0)).answerWait())
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(run("confirm", "h1", "--reason", "r", "--wait", "ten")).isEqualTo(Cli.USAGE);
    }

    @Test
    void recordNeedsAnOutputFile() {
        assertThat(run("record")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--out");
        assertThat(run("record", "--out", dir.toString())).isEqualTo(Cli.USAGE);
        Path file = dir.resolve("r.jsonl");
        assertThat(run("record", "--out", file.toString(), "--duration", "10m")).isEqualTo(Cli.OK);
        assertThat(run("record", "--out", file.toString(), "--from-now")).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new RecordArgs(
                                file, Optional.of(Duration.ofMinutes(10)), "127.0.0.1:9092", false),
                        new RecordArgs(file, Optional.empty(), "127.0.0.1:9092", true));
    }

    @Test
    void confirmNeedsAHostAndAReason() {
        assertThat(run("confirm", "h1")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--reason");
        assertThat(run("confirm", "--reason", "cords pulled")).isEqualTo(Cli.USAGE);
        assertThat(
                        run(
                                "confirm",
                                "h1",
                                "--reason",
                                "cords pulled",
                                "--requested-by",
                                "ana",
                                "--bootstrap",
                                "k1:9092,k2:9093"))
                .isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(new ConfirmArgs("h1", "cords pulled", "ana", "k1:9092,k2:9093"));
    }

    @Test
    void confirmIsByTheUserUnlessSaidOtherwise() {
        assertThat(run("confirm", "h1", "--reason", "r")).isEqualTo(Cli.OK);
        assertThat(((ConfirmArgs) actions.calls.get(0)).requestedBy())
                .isEqualTo(System.getProperty("user.name"));
    }

    @Test
    void aBadBootstrapIsAUsageError() {
        assertThat(run("confirm", "h1", "--reason", "r", "--bootstrap", "k1")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("'k1' is not HOST:PORT");
        assertThat(run("record", "--out", "x.jsonl", "--bootstrap", "k1:99999"))
                .isEqualTo(Cli.USAGE);
    }

    @Test
    void connectorTypesAndTheirConfig() throws IOException {
        assertThat(run("connector")).isEqualTo(Cli.USAGE);
        assertThat(run("connector", "--type", "vmware")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("sim, libvirt, ipmi");
        assertThat(run("connector", "--type", "libvirt")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--type libvirt needs --config FILE");
        Path config = Files.writeString(dir.resolve("pool.properties"), "uri=qemu:///system\n");
        assertThat(run("connector", "--type", "LIBVIRT", "--config", config.toString()))
                .isEqualTo(Cli.OK);
        assertThat(run("connector", "--type", "sim")).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new ConnectorArgs(
                                ConnectorType.LIBVIRT, Optional.of(config), "127.0.0.1:9092"),
                        new ConnectorArgs(ConnectorType.SIM, Optional.empty(), "127.0.0.1:9092"));
    }

    @Test
    void aFailingActionExitsWithOneAndSaysWhy() {
        actions.failure = new IllegalStateException("no route to hypervisor pool-a");
        assertThat(run("connector", "--type", "sim")).isEqualTo(Cli.FAILURE);
        assertThat(err.toString()).contains("vmres connector: no route to hypervisor pool-a");
    }

    @Test
    void anActionsExitCodeIsTheProcesssExitCode() {
        actions.exitCode = Cli.FAILURE;
        assertThat(run("demo")).isEqualTo(Cli.FAILURE);
    }

    @Test
    void aCommandNotYetBuiltSaysSo() {
        actions.failure = new NotWiredException("record");
        assertThat(run("record", "--out", dir.resolve("r.jsonl").toString()))
                .isEqualTo(Cli.FAILURE);
        assertThat(err.toString()).contains("'vmres record' is not available in this build yet");
    }

    @Test
    void chaosTakesTheConnectorsSessionAndRefusesANonPositiveOne() {
        assertThat(run("cluster", "chaos", "--help")).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("--session-timeout=DURATION");
        assertThat(run("cluster", "chaos", "--session-timeout", "0s")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--session-timeout must be positive");
    }
}
