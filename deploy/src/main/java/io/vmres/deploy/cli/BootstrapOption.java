package io.vmres.deploy.cli;

import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code --bootstrap} option of the commands that talk to a running Kafka. */
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
            defaultValue = DEFAULT,
            description =
                    "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, where `vmres kafka` listens).")
    private String bootstrap;

    /** The servers, checked to be a comma-separated list of host:port. */
    public String servers() {
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
