package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.cli.Actions.DashboardArgs;
import io.vmres.deploy.cli.Actions.DashboardOptions;
import io.vmres.deploy.cli.Actions.DemoArgs;
import io.vmres.deploy.cli.Actions.ReplayArgs;
import io.vmres.deploy.cli.Actions.ReplayDashboard;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's options: of its own command, of the demo and of replays. */
class DashboardCliTest {
    private final RecordingActions actions = new RecordingActions();
    private final StringWriter err = new StringWriter();
    @TempDir Path dir;

    private Map<String, String> env = Map.of();

    private int run(String... args) {
        return new Cli(actions)
                .setOut(new PrintWriter(new StringWriter(), true))
                .setErr(new PrintWriter(err, true))
                .setEnv(env)
                .run(args);
    }

    @Test
    void dashboardListensOnLoopbackByDefault() {
        assertThat(run("dashboard", "--bootstrap", "k1:9092")).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new DashboardArgs(
                                "k1:9092",
                                new DashboardOptions(8080, "127.0.0.1", Optional.empty())));
    }

    @Test
    void dashboardBeyondLoopbackNeedsATokenFromAFileOrTheEnvironment() throws IOException {
        assertThat(run("dashboard", "--bind", "0.0.0.0")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--token-file").contains("VMRES_DASHBOARD_TOKEN");
        Path blank = Files.writeString(dir.resolve("blank"), " \n");
        assertThat(run("dashboard", "--bind", "0.0.0.0", "--token-file", blank.toString()))
                .isEqualTo(Cli.USAGE);
        assertThat(
                        run(
                                "dashboard",
                                "--bind",
                                "0.0.0.0",
                                "--token-file",
                                dir.resolve("none").toString()))
                .isEqualTo(Cli.USAGE);
        assertThat(actions.calls).isEmpty();

        Path file = Files.writeString(dir.resolve("token"), "s3cret\n");
        assertThat(
                        run(
                                "dashboard",
                                "--bind",
                                "0.0.0.0",
                                "--port",
                                "9443",
                                "--token-file",
                                file.toString(),
                                "--allow-host",
                                "vmres.example.com",
                                "--allow-host",
                                "proxy:443"))
                .isEqualTo(Cli.OK);
        env = Map.of("VMRES_DASHBOARD_TOKEN", "fr0m-env");
        assertThat(run("dashboard", "--bind", "0.0.0.0")).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .containsExactly(
                        new DashboardArgs(
                                "127.0.0.1:9092",
                                new DashboardOptions(
                                        9443,
                                        "0.0.0.0",
                                        Optional.of("s3cret"),
                                        List.of("vmres.example.com", "proxy:443"))),
                        new DashboardArgs(
                                "127.0.0.1:9092",
                                new DashboardOptions(8080, "0.0.0.0", Optional.of("fr0m-env"))));
    }

    @Test
    void aTokenOnTheCommandLineIsRefused() {
        assertThat(run("dashboard", "--bind", "0.0.0.0", "--token", "s3cret")).isEqualTo(Cli.USAGE);
        assertThat(err.toString()).contains("--token-file").contains("process list");
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void dashboardRefusesABadPort() {
        assertThat(run("dashboard", "--port", "70000")).isEqualTo(Cli.USAGE);
        assertThat(actions.calls).isEmpty();
    }

    @Test
    void demoServesTheDashboardUnlessTold() {
        assertThat(run("demo", "--dashboard-port", "0")).isEqualTo(Cli.OK);
        assertThat(run("demo", "--no-dashboard")).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .extracting(c -> ((DemoArgs) c).dashboard())
                .containsExactly(Optional.of(DashboardOptions.local(0)), Optional.empty());
        assertThat(((DemoArgs) actions.calls.get(0)).crashEvery())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void replayOnTheDashboardAtASpeed() throws IOException {
        Path recording = Files.writeString(dir.resolve("r.jsonl"), "{\"type\":\"meta\"}\n");
        assertThat(run("replay", recording.toString(), "--dashboard", "--speed", "2.5"))
                .isEqualTo(Cli.OK);
        assertThat(run("replay", recording.toString())).isEqualTo(Cli.OK);
        assertThat(actions.calls)
                .extracting(c -> ((ReplayArgs) c).dashboard())
                .containsExactly(
                        Optional.of(new ReplayDashboard(2.5, DashboardOptions.local(8080))),
                        Optional.empty());
        assertThat(run("replay", recording.toString(), "--dashboard", "--speed", "0"))
                .isEqualTo(Cli.USAGE);
    }
}
