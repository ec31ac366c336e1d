package io.vmres.deploy.commands;

import io.vmres.connector.ipmi.IpmiFencer;
import io.vmres.connector.ipmi.PowerPoller;
import io.vmres.connector.libvirt.LibvirtConnector;
import io.vmres.connector.runtime.ConnectorCounters;
import io.vmres.connector.runtime.ConnectorSettings;
import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.schema.KafkaEndpoint;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code vmres connector --type sim|libvirt|ipmi|pdu --config FILE}: builds the connector of that
 * type from its settings and runs a connector service on it until Ctrl-C.
 */
public final class HardwareConnector {
    /** The settings key of the IPMI power readings' own client properties file. */
    public static final String POWER_KAFKA_PROPERTIES = "ipmi.power.kafka.properties";

    private HardwareConnector() {}

    /**
     * Runs the connector of a type until Ctrl-C.
     *
     * @return the process exit code
     */
    public static int run(
            String type,
            KafkaEndpoint kafka,
            ConnectorSettings settings,
            Lifecycle lifecycle,
            PrintStream out)
            throws Exception {
        switch (type) {
            case "sim":
                return SimConnector.run(kafka, settings, lifecycle, out);
            case "libvirt":
                {
                    LibvirtConnector libvirt = LibvirtConnector.fromSettings(settings);
                    warnUnsigned(settings.requireSigning("the libvirt connector"), out);
                    lifecycle.register(libvirt);
                    out.printf(
                            Locale.ROOT,
                            "libvirt connector on %s: %d hosts. Press Ctrl-C to stop.%n",
                            kafka.bootstrap(),
                            libvirt.hosts().size());
                    return report(
                            SimConnector.serve(
                                    kafka,
                                    libvirt,
                                    settings.options("vmres-connector-libvirt"),
                                    settings,
                                    lifecycle,
                                    out),
                            out);
                }
            case "ipmi":
                {
                    IpmiFencer ipmi = IpmiFencer.fromSettings(settings);
                    warnUnsigned(settings.requireSigning("the IPMI connector"), out);
                    java.time.Duration every =
                            settings.getDuration(
                                    "ipmi.power.interval", java.time.Duration.ofSeconds(5));
                    if (!every.isZero()) {
                        // Power readings, the proof of a host down: closed before their producer,
                        // which may write as a principal of its own (ipmi.power.kafka.properties)
                        org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer =
                                SimConnector.telemetryProducer(
                                        settings.kafka(POWER_KAFKA_PROPERTIES, kafka));
                        lifecycle.register(
                                (AutoCloseable)
                                        () -> producer.close(java.time.Duration.ofSeconds(5)));
                        lifecycle.register(
                                new PowerPoller(
                                        ipmi,
                                        ipmi.hosts(),
                                        producer,
                                        every,
                                        settings.getInt("ipmi.power.parallel", 8),
                                        java.time.Clock.systemUTC()));
                    }
                    out.printf(
                            Locale.ROOT,
                            "IPMI fencing connector on %s: %d BMCs%s. Press Ctrl-C to stop.%n",
                            kafka.bootstrap(),
                            ipmi.hosts().size(),
                            every.isZero() ? "" : ", power read every " + every.toMillis() + " ms");
                    return report(
                            SimConnector.serve(
                                    kafka,
                                    ipmi,
                                    settings.options("vmres-connector-ipmi"),
                                    settings,
                                    lifecycle,
                                    out),
                            out);
                }
            case "pdu":
                return PduConnector.run(kafka, settings, lifecycle, out);
            default:
                throw new IllegalArgumentException("unknown connector type " + type);
        }
    }

    /** Says loudly that commands are not verified. */
    static void warnUnsigned(boolean signed, PrintStream out) {
        if (!signed) {
            out.println(
                    "WARNING: commands are not verified (no signing.keys.file): this connector runs"
                            + " any command written to the commands topic.");
        }
    }

    private static int report(ConnectorCounters c, PrintStream out) {
        out.println("Connector stopped: " + SimConnector.metrics(c));
        return 0;
    }
}
