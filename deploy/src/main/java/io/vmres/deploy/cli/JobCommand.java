package io.vmres.deploy.cli;

import io.vmres.deploy.commands.LocalJob;
import io.vmres.deploy.commands.SettingValues;
import io.vmres.engine.Settings;
import io.vmres.engine.recording.SettingsParser;
import io.vmres.job.live.LiveOptions;
import io.vmres.schema.KafkaEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vmres job}: the production job on a local Flink MiniCluster against any Kafka. */
@Command(
        name = "job",
        header = "Runs the vmres job on a local Flink MiniCluster against a Kafka.",
        description = {
            "Runs the production job (exactly-once, a checkpoint every second) on a Flink"
                    + " MiniCluster in this process, reading telemetry, requests and command results"
                    + " from the Kafka at --bootstrap and writing commands, incidents, alerts and host"
                    + " states to it, until Ctrl-C. It prints the job's state and its last checkpoint"
                    + " every --status-every. The Kafka must hold every vmres topic (`vmres kafka`"
                    + " creates them, `vmres topics` on any other Kafka).",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres job --bootstrap 127.0.0.1:9092 --signing-keys job.keys",
            "  vmres job --bootstrap kafka-1:9093 --kafka-properties client.properties"
                    + " --signing-keys /etc/vmres/keys/job.keys --set heartbeatTimeout=5s"
        })
final class JobCommand extends Subcommand {
    @Mixin private BootstrapOption bootstrap;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            mapFallbackValue = Option.NULL_VALUE,
            description =
                    "Overrides one setting, such as heartbeatTimeout=5s; repeatable"
                            + " (docs/settings.md).")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    private int parallelism;

    @Option(
            names = "--group-id",
            paramLabel = "ID",
            description = "The consumer group of the job's source (default: vmres-job).")
    private String groupId;

    @Option(
            names = "--transactional-id-prefix",
            paramLabel = "P",
            description =
                    "Prefix of the sink's transactional ids, unique per job on one Kafka"
                            + " (default: vmres-job).")
    private String transactionalIdPrefix;

    @Option(
            names = "--signing-keys",
            paramLabel = "FILE",
            description =
                    "The keys file (docs/security.md): commands are signed with its key that signs"
                            + " commands; results are read only if signed by one of its keys that"
                            + " sign results. Required, unless --insecure-unsigned.")
    private Path signingKeys;

    @Option(
            names = "--insecure-unsigned",
            description =
                    "Runs without a keys file: commands go out unsigned, and every result is"
                            + " believed, whoever wrote it.")
    private boolean insecureUnsigned;

    @Option(
            names = "--status-every",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "How often it prints the job's status (default: ${DEFAULT-VALUE}).")
    private Duration statusEvery;

    @Override
    public Integer call() throws Exception {
        for (var e : settings.entrySet()) {
            if (e.getKey().isBlank() || e.getValue() == null || e.getValue().isBlank()) {
                throw usage("--set takes KEY=VALUE, with neither empty; got '" + e.getKey() + "'");
            }
        }
        Settings s;
        try {
            s = SettingsParser.applyOverrides(Settings.DEFAULTS, SettingValues.normalize(settings));
        } catch (IllegalArgumentException e) {
            throw usage("--set: " + e.getMessage());
        }
        KafkaEndpoint kafka = bootstrap.kafka();
        LiveOptions options =
                LiveOptions.defaults(kafka.bootstrap())
                        .withSettings(s)
                        .withExactlyOnce(true)
                        .withKafkaProperties(kafka.properties());
        if (signingKeys != null) {
            options =
                    options.withSigningKeys(
                            readableFile(signingKeys, "--signing-keys")
                                    .toAbsolutePath()
                                    .toString());
        } else if (!insecureUnsigned) {
            throw usage(
                    "--signing-keys FILE is required (docs/security.md); --insecure-unsigned runs"
                            + " without, believing every result");
        } else {
            out().println(
                            "WARNING: --insecure-unsigned: commands are not signed and results not"
                                    + " verified.");
        }
        if (groupId != null) {
            options = options.withGroupId(groupId);
        }
        if (transactionalIdPrefix != null) {
            options = options.withTransactionalIdPrefix(transactionalIdPrefix);
        }
        return LocalJob.run(
                options,
                atLeast(parallelism, 1, "--parallelism"),
                positive(statusEvery, "--status-every"),
                lifecycle(),
                out());
    }
}
