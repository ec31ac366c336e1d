package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.TopicSetup;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vmres topics}: creates or checks every vmres topic on any Kafka. */
@Command(
        name = "topics",
        header = "Creates or checks every vmres topic on a Kafka.",
        description = {
            "Creates the vmres topics that are missing, with their partitions, replication,"
                    + " min.insync.replicas, LogAppendTime on the inputs and compaction for the"
                    + " connector's ledger; --check only reports what differs. See docs/topics.md.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres topics --bootstrap kafka-1:9092 --replication 3 --partitions 8",
            "  vmres topics --bootstrap kafka-1:9092 --replication 3 --check"
        })
final class TopicsCommand extends Subcommand {
    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions of each topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--replication",
            defaultValue = "3",
            description = "Replicas of each partition (default: ${DEFAULT-VALUE}).")
    int replication;

    @Option(names = "--check", description = "Only check: exit 1 if a topic is missing or differs.")
    boolean check;

    @Mixin private BootstrapOption bootstrap;

    @Override
    public Integer call() throws Exception {
        atLeast(partitions, 1, "--partitions");
        atLeast(replication, 1, "--replication");
        List<TopicSetup.Spec> wanted = TopicSetup.wanted(partitions, replication);
        try (Admin admin =
                Admin.create(
                        bootstrap
                                .kafka()
                                .client(
                                        Map.of(
                                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                                30_000)))) {
            if (!check) {
                var created = TopicSetup.create(admin, wanted);
                created.created().forEach(t -> out().println("created  " + t));
                created.existing().forEach(t -> out().println("exists   " + t));
            }
            List<String> problems = TopicSetup.check(admin, wanted);
            problems.forEach(p -> out().println("DIFFERS  " + p));
            out().printf(
                            "%d vmres topics %s (%d partitions, replication %d)%n",
                            wanted.size(),
                            problems.isEmpty()
                                    ? "as wanted"
                                    : "checked, " + problems.size() + " differences",
                            partitions,
                            replication);
            return problems.isEmpty() ? Cli.OK : Cli.FAILURE;
        }
    }
}
