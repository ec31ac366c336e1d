package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.KafkaSecurity;
import io.vmres.schema.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres kafka}: a standalone embedded broker in the foreground, until Ctrl-C. */
@Command(
        name = "kafka",
        header = "Runs a local Kafka broker with every vmres topic.",
        description = {
            "Runs a single-node Kafka broker (KRaft, from Kafka's own jars) on 127.0.0.1 with every"
                    + " vmres topic created, in the foreground until Ctrl-C. Connectors, `vmres record`"
                    + " and `vmres confirm` reach it at the address it prints.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres kafka",
            "  vmres kafka --port 0 --data-dir .vmres/kafka --partitions 8",
            "  vmres kafka --secure .vmres/kafka-secure   (then: vmres job --kafka-properties"
                    + " .vmres/kafka-secure/job.properties)"
        })
final class KafkaCommand extends Subcommand {
    /** The port clients expect when nobody says otherwise. */
    static final int DEFAULT_PORT = 9092;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "" + DEFAULT_PORT,
            description =
                    "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description =
                    "Keeps the broker's data in this folder across runs (default: a temporary folder,"
                            + " deleted on exit).")
    private Path dataDir;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            defaultValue = "4",
            description = "Partitions of each topic it creates (default: ${DEFAULT-VALUE}).")
    private int partitions;

    @Option(
            names = "--secure",
            paramLabel = "DIR",
            description =
                    "SASL_SSL (SCRAM-SHA-512) with ACLs: keeps a CA, the broker's key store, one"
                            + " user per role and one client properties file per role (job,"
                            + " connector, power, telemetry, sim-fleet, operator, dashboard, admin)"
                            + " in DIR, made on first use (docs/security.md).")
    private Path secure;

    /** The broker, saying on stdout once it has stopped. */
    private record Told(EmbeddedKafka kafka, PrintWriter out) implements AutoCloseable {
        @Override
        public void close() {
            kafka.close();
            out.println("Kafka stopped.");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw usage("--port must be in 0..65535, was " + port);
        }
        atLeast(partitions, 1, "--partitions");
        PrintWriter out = out();
        EmbeddedKafka.Builder builder =
                EmbeddedKafka.builder()
                        .port(port)
                        .dataDir(dataDir)
                        .partitions(partitions)
                        .secure(secure);
        EmbeddedKafka kafka = lifecycle().start(() -> new Told(builder.start(), out)).kafka();
        out.printf(
                "Kafka is ready at %s (started in %.1f s; %d topics of %s; data in %s%s).%n",
                kafka.bootstrapServers(),
                kafka.startupTime().toMillis() / 1000.0,
                Topics.ALL.size(),
                io.vmres.deploy.commands.Words.count(partitions, "partition"),
                kafka.dataDir(),
                dataDir == null ? ", deleted on exit" : "");
        out.println("bootstrap.servers=" + kafka.bootstrapServers());
        kafka.security()
                .ifPresent(
                        s -> {
                            out.println(
                                    "SASL_SSL with ACLs; client properties per role (pass one as"
                                            + " --kafka-properties):");
                            for (KafkaSecurity.Role role : KafkaSecurity.Role.values()) {
                                out.printf(
                                        "  %-10s %s (%s)%n",
                                        role.name().toLowerCase(java.util.Locale.ROOT),
                                        s.clientFile(role),
                                        role.principal());
                            }
                        });
        out.println("Press Ctrl-C to stop.");
        lifecycle().awaitShutdown();
        return 0;
    }
}
