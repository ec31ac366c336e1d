package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.ReplayArgs;
import io.vmres.deploy.commands.Replay;
import io.vmres.deploy.commands.SettingValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmres replay}: a recording through the job, with the decisions written as files. */
@Command(
        name = "replay",
        header = "Replays a recording through the job; writes its decisions.",
        description = {
            "Replays a recording (JSON Lines, one event per line) through the job in event time,"
                    + " against a simulated hypervisor, and writes its decisions to the output folder:"
                    + " commands.jsonl, results.jsonl, incidents.jsonl, alerts.jsonl, dead-letter.jsonl"
                    + " and summary.json. The same recording and settings give byte-identical files.",
            "",
            "Settings apply in this order, the later winning: their defaults, the recording's meta"
                    + " config, --config, then --set.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres replay rack-failure.jsonl",
            "  vmres replay rack.jsonl --out /tmp/rack --set heartbeatTimeout=PT5S",
            "  vmres replay rack-failure.jsonl --dashboard --speed 5"
        })
final class ReplayCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "RECORDING", description = "The recording to replay.")
    private Path recording;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description =
                    "Output folder, created if missing (default: out/ and the recording's name).")
    private Path out;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            mapFallbackValue = Option.NULL_VALUE,
            description =
                    "Overrides one setting, such as heartbeatTimeout=5s; repeatable. Keys as in a"
                            + " recording's meta config (docs/settings.md); durations as 5s, 2m or"
                            + " PT5S.")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Parallelism of the job; the output does not depend on it (default: ${DEFAULT-VALUE}).")
    private int parallelism;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "A file of settings, one KEY=VALUE per line, as --set.")
    private Path config;

    @Option(
            names = "--dashboard",
            description =
                    "Show the replay on the dashboard as it runs, paced by --speed, and keep serving it"
                            + " after the end until Ctrl-C.")
    private boolean dashboard;

    @Option(
            names = "--speed",
            paramLabel = "X",
            defaultValue = "10",
            description =
                    "With --dashboard: event time runs X times as fast as the clock (default:"
                            + " ${DEFAULT-VALUE}).")
    private double speed;

    @Option(
            names = "--dashboard-port",
            paramLabel = "PORT",
            defaultValue = "" + DashboardCommand.DEFAULT_PORT,
            description =
                    "With --dashboard: its port, on loopback (default: ${DEFAULT-VALUE};"
                            + " --dashboard-port 0 picks a free one).")
    private int dashboardPort;

    @Option(
            names = "--shadow",
            paramLabel = "FILE",
            description =
                    "The recorded actions of an incumbent HA manager over the same time: writes"
                            + " shadow-report.md (with plots) and shadow-report.json comparing them"
                            + " with the replay (docs/adoption.md).")
    private Path shadow;

    @Option(
            names = "--shadow-format",
            paramLabel = "FORMAT",
            defaultValue = "vmres",
            description =
                    "Format of --shadow: vmres, masakari or vsphere (default: ${DEFAULT-VALUE}).")
    private String shadowFormat;

    @Override
    public Integer call() throws Exception {
        readableFile(recording, "recording");
        io.vmres.deploy.shadow.IncumbentFormat format = null;
        if (shadow != null) {
            readableFile(shadow, "--shadow");
            try {
                format = io.vmres.deploy.shadow.IncumbentFormat.of(shadowFormat);
            } catch (IllegalArgumentException e) {
                throw usage("--shadow-format is vmres, masakari or vsphere, was " + shadowFormat);
            }
        }
        for (var e : settings.entrySet()) {
            if (e.getKey().isBlank() || e.getValue() == null || e.getValue().isBlank()) {
                throw usage("--set takes KEY=VALUE, with neither empty; got '" + e.getKey() + "'");
            }
        }
        Map<String, String> set;
        try {
            set = SettingValues.normalize(settings);
            if (config != null) {
                SettingValues.normalize(
                        Replay.overrides(Optional.of(readableFile(config, "--config")), Map.of()));
            }
        } catch (IllegalArgumentException e) {
            throw usage((config != null ? "" : "--set: ") + e.getMessage());
        }
        Path dir = out != null ? out : Path.of("out", baseName(recording));
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw usage("--out " + dir + " is a file, not a folder");
        }
        ReplayArgs args =
                new ReplayArgs(
                        recording,
                        dir,
                        Collections.unmodifiableMap(new LinkedHashMap<>(set)),
                        atLeast(parallelism, 1, "--parallelism"),
                        Optional.ofNullable(config).map(c -> readableFile(c, "--config")),
                        dashboard ? Optional.of(replayDashboard()) : Optional.empty());
        int code = actions().replay(args, lifecycle());
        if (code == Cli.OK && format != null) {
            out().println(io.vmres.deploy.shadow.ShadowRun.report(recording, dir, shadow, format));
            out().flush();
        }
        return code;
    }

    private Actions.ReplayDashboard replayDashboard() {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw usage("--speed must be a number above 0, was " + speed);
        }
        return new Actions.ReplayDashboard(
                speed, DashboardCommand.options(this, dashboardPort, "127.0.0.1", null));
    }

    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".jsonl")
                ? name.substring(0, name.length() - ".jsonl".length())
                : name;
    }
}
