package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.ConnectorArgs;
import io.vmres.deploy.cli.Actions.ConnectorType;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vmres connector}: one connector service, until Ctrl-C. */
@Command(
    name = "connector",
    header = "Runs a hypervisor connector.",
    description = {
      "Runs a connector: it reads commands from Kafka, runs them against its hypervisors"
          + " idempotently (the command id is the key) and reports each result back.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  vmres connector --type sim",
      "  vmres connector --type libvirt --config pool-a.properties"
    })
final class ConnectorCommand extends Subcommand {

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      required = true,
      description = "The connector: ${COMPLETION-CANDIDATES}.")
  private ConnectorType type;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "How to reach the hypervisors (required for libvirt and ipmi).")
  private Path config;

  @Mixin private BootstrapOption bootstrap;

  @Override
  public Integer call() throws Exception {
    if (type.needsConfig() && config == null) {
      throw usage("--type " + type + " needs --config FILE");
    }
    ConnectorArgs args =
        new ConnectorArgs(
            type,
            Optional.ofNullable(config).map(c -> readableFile(c, "--config")),
            bootstrap.servers());
    return actions().connector(args, lifecycle());
  }
}
