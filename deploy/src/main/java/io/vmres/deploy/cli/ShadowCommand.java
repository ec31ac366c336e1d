package io.vmres.deploy.cli;

import io.vmres.deploy.shadow.LiveShadow;
import io.vmres.deploy.shadow.ShadowConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres shadow}: the production job on live telemetry, beside the incumbent HA manager. */
@Command(
        name = "shadow",
        header = "Runs vmres in shadow beside the incumbent HA manager, on live telemetry.",
        description = {
            "Runs the production job on a local Flink MiniCluster against the live input topics,"
                    + " its decisions written to shadow topics no connector reads (vmres.shadow.*"
                    + " by default; never vmres.commands) and its commands answered by the"
                    + " simulated hypervisor's latencies. It reads the incumbent's actions from"
                    + " its own topic (vmres.shadow.incumbent by default; Masakari notifications,"
                    + " vSphere HA events or vmres's own lines) and keeps the shadow report"
                    + " (Markdown, SVG, JSON) up to date in the report folder, with a status line,"
                    + " until Ctrl-C. It has its own consumer group and transactional ids, so it"
                    + " runs beside a production vmres (docs/adoption.md).",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres shadow --config shadow.properties",
            "  vmres shadow --config shadow.properties --set heartbeatTimeout=5s"
        })
final class ShadowCommand extends Subcommand {
    @Option(
            names = "--config",
            required = true,
            paramLabel = "FILE",
            description =
                    "The shadow's configuration (Java properties): bootstrap, kafka.properties,"
                            + " topics.prefix, topics.incumbent, incumbent.format, report.dir,"
                            + " report.every, group.id, transactional.id.prefix, parallelism,"
                            + " set.KEY=VALUE.")
    private Path config;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            mapFallbackValue = Option.NULL_VALUE,
            description =
                    "Overrides one setting over the file's, such as heartbeatTimeout=5s;"
                            + " repeatable (docs/settings.md).")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        for (var e : settings.entrySet()) {
            if (e.getKey().isBlank() || e.getValue() == null || e.getValue().isBlank()) {
                throw usage("--set takes KEY=VALUE, with neither empty; got '" + e.getKey() + "'");
            }
        }
        ShadowConfig c;
        try {
            c = ShadowConfig.read(readableFile(config, "--config"), settings);
        } catch (IllegalArgumentException e) {
            throw usage("--config: " + e.getMessage());
        }
        return LiveShadow.run(c, lifecycle(), out());
    }
}
