package io.vmres.deploy.cli;

import io.vmres.schema.KafkaEndpoint;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --bootstrap} and {@code --kafka-properties} options of the commands that talk to a
 * running Kafka: where it is, and how every client of the command authenticates to it.
 */
public final class BootstrapOption {
    /** Where {@code vmres kafka} listens by default. */
    public static final String DEFAULT = "127.0.0.1:" + KafkaCommand.DEFAULT_PORT;

    private static final Pattern SERVER =
            Pattern.compile("[^\\s:,]+:(\\d{1,5})|\\[[0-9a-fA-F:]+\\]:(\\d{1,5})");

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT[,HOST:PORT...]",
            description =
                    "Kafka bootstrap servers (default: bootstrap.servers of --kafka-properties,"
                            + " else "
                            + DEFAULT
                            + ", where `vmres kafka` listens).")
    private String bootstrap;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description =
                    "Kafka client properties (Java properties: security.protocol, SASL, TLS trust"
                            + " and key stores, timeouts) applied to every Kafka client of the"
                            + " command; `vmres kafka --secure DIR` writes one per role.")
    private Path kafkaProperties;

    /** The servers, checked to be a comma-separated list of host:port. */
    public String servers() {
        return check(bootstrap != null ? bootstrap : fileServers().orElse(DEFAULT));
    }

    /** The servers and the client properties of every Kafka client of the command. */
    public KafkaEndpoint kafka() {
        return new KafkaEndpoint(servers(), fileProperties());
    }

    /** The properties file, if one was given. */
    public java.util.Optional<Path> propertiesFile() {
        return java.util.Optional.ofNullable(kafkaProperties);
    }

    private java.util.Optional<String> fileServers() {
        return java.util.Optional.ofNullable(fileProperties().get(KafkaEndpoint.BOOTSTRAP_SERVERS));
    }

    private Map<String, String> fileProperties() {
        if (kafkaProperties == null) {
            return Map.of();
        }
        if (!Files.isRegularFile(kafkaProperties) || !Files.isReadable(kafkaProperties)) {
            throw new ParameterException(
                    mixee.commandLine(),
                    "--kafka-properties: " + kafkaProperties + " is not a readable file");
        }
        try {
            return KafkaEndpoint.read(kafkaProperties);
        } catch (UncheckedIOException e) {
            throw new ParameterException(
                    mixee.commandLine(), "--kafka-properties: " + e.getMessage());
        }
    }

    private String check(String bootstrap) {
        for (String s : bootstrap.split(",", -1)) {
            var m = SERVER.matcher(s.trim());
            if (!m.matches()) {
                throw new ParameterException(
                        mixee.commandLine(), "--bootstrap: '" + s + "' is not HOST:PORT");
            }
            int port = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            if (port < 1 || port > 65535) {
                throw new ParameterException(
                        mixee.commandLine(), "--bootstrap: port " + port + " is not in 1..65535");
            }
        }
        return bootstrap.trim();
    }
}
