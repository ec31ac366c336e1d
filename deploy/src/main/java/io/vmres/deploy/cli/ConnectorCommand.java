package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.ConnectorArgs;
import io.vmres.deploy.cli.Actions.ConnectorType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code vmres connector}: one connector service, until Ctrl-C. */
@Command(
        name = "connector",
        header = "Runs a hypervisor connector.",
        description = {
            "Runs a connector: it reads commands from Kafka, runs them against its hypervisors"
                    + " idempotently (the command id is the key) and reports each result back.",
            "",
            "Types: sim (a simulated fleet, which also publishes its telemetry), libvirt (restart,"
                    + " migrate, map disks, fence a host's domains), ipmi (fence hosts through their BMCs),"
                    + " pdu (read power domains from PDUs over Redfish and UPSes over SNMP, and"
                    + " publish them; runs no command).",
            "",
            "Settings (--config FILE, Java properties; docs/connectors.md lists every key):",
            "  service  group, max.in.flight, max.in.flight.per.target, command.timeout,",
            "           exactly.once, transactional.id, metrics.interval,",
            "           signing.keys.file (required for libvirt and ipmi unless",
            "           signing.insecure=true), command.max.age",
            "  libvirt  libvirt.host.HOST.uri, libvirt.xml.dir, libvirt.storage.pool",
            "  ipmi     ipmi.host.HOST.address, ipmi.host.HOST.user,",
            "           ipmi.host.HOST.password (or .password.file), ipmi.power.interval",
            "  sim      sim.hosts, sim.seed, sim.ledger.file, sim.telemetry",
            "  pdu      pdu.source.NAME.type (redfish, snmp), .url, .user, .password.file,",
            "           .address, .community.file; pdu.domain.DOMAIN.feeds, pdu.interval,",
            "           pdu.timeout",
            "",
            "By default (exactly.once=true) a command runs at most once even across a crash, and"
                    + " gets exactly one result: results, a ledger and offsets go out in Kafka"
                    + " transactions.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres connector --type sim",
            "  vmres connector --type sim --config sim.properties",
            "  vmres connector --type libvirt --config pool-a.properties",
            "  vmres connector --type ipmi --config bmcs.properties --bootstrap kafka-1:9092",
            "  vmres connector --type pdu --config pdus.properties"
        })
final class ConnectorCommand extends Subcommand {

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            required = true,
            converter = TypeConverter.class,
            completionCandidates = TypeCandidates.class,
            description = "The connector: ${COMPLETION-CANDIDATES}.")
    private ConnectorType type;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "Settings (Java properties): how to reach the hypervisors or BMCs, and the"
                            + " service's limits (required for libvirt, ipmi and pdu).")
    private Path config;

    @Mixin private BootstrapOption bootstrap;

    /** Reads the type in any case, and names the types in the case of the help text. */
    static final class TypeConverter implements ITypeConverter<ConnectorType> {
        @Override
        public ConnectorType convert(String value) {
            for (ConnectorType t : ConnectorType.values()) {
                if (t.name().equalsIgnoreCase(value.trim())) {
                    return t;
                }
            }
            throw new TypeConversionException(
                    "'" + value + "' is not a connector type: one of " + new TypeCandidates());
        }
    }

    /** The types as written on the command line. */
    static final class TypeCandidates extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        TypeCandidates() {
            for (ConnectorType t : ConnectorType.values()) {
                add(t.toString());
            }
        }

        @Override
        public String toString() {
            return String.join(", ", this);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (type.needsConfig() && config == null) {
            throw usage("--type " + type + " needs --config FILE");
        }
        ConnectorArgs args =
                new ConnectorArgs(
                        type,
                        Optional.ofNullable(config).map(c -> readableFile(c, "--config")),
                        bootstrap.kafka());
        return actions().connector(args, lifecycle());
    }
}
