package io.vmres.deploy.commands;

import io.vmres.connector.power.PduMetrics;
import io.vmres.connector.power.PduReader;
import io.vmres.connector.power.PduSettings;
import io.vmres.connector.power.PowerDomainPoller;
import io.vmres.connector.runtime.ConnectorSettings;
import io.vmres.connector.runtime.MetricsServer;
import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.schema.KafkaEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.snmp4j.Snmp;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * {@code vmres connector --type pdu --config FILE}: reads the power devices of the settings every
 * {@code pdu.interval} and publishes each power domain's state on {@code vmres.telemetry.power}
 * until Ctrl-C. It runs no command: the job needs no answer from it, only its readings.
 */
public final class PduConnector {
    private PduConnector() {}

    /**
     * Runs until Ctrl-C closes the lifecycle.
     *
     * @return the process exit code
     */
    public static int run(
            KafkaEndpoint kafka, ConnectorSettings settings, Lifecycle lifecycle, PrintStream out)
            throws Exception {
        PduSettings pdu = PduSettings.from(settings);
        SimConnector.checkReachable(kafka);
        // The lifecycle closes newest first: the poller, then the readers and SNMP, then Kafka.
        Producer<byte[], byte[]> producer = SimConnector.telemetryProducer(kafka);
        lifecycle.register((AutoCloseable) () -> producer.close(Duration.ofSeconds(5)));
        Snmp[] snmp = new Snmp[1];
        Map<String, PduReader> readers =
                pdu.readers(
                        settings,
                        () -> {
                            if (snmp[0] == null) {
                                snmp[0] = lifecycle.register(openSnmp());
                            }
                            return snmp[0];
                        });
        readers.values().forEach(lifecycle::register);
        PowerDomainPoller poller =
                lifecycle.register(
                        new PowerDomainPoller(pdu, readers, producer, Clock.systemUTC()));
        if (settings.get("metrics.port").isPresent()) {
            MetricsServer metrics =
                    lifecycle.register(
                            MetricsServer.start(
                                    new InetSocketAddress(
                                            settings.get("metrics.host", "127.0.0.1"),
                                            settings.getInt("metrics.port", 0)),
                                    () -> PduMetrics.prometheus(poller)));
            out.printf(
                    Locale.ROOT,
                    "metrics on http://%s:%d/metrics%n",
                    settings.get("metrics.host", "127.0.0.1"),
                    metrics.port());
        }
        out.printf(
                Locale.ROOT,
                "power-domain connector on %s: %d domains from %d devices, read every %d ms."
                        + " Press Ctrl-C to stop.%n",
                kafka.bootstrap(),
                pdu.domains().size(),
                readers.size(),
                pdu.interval().toMillis());
        Duration every = settings.getDuration("metrics.interval", Duration.ofSeconds(60));
        long next = System.nanoTime() + every.toNanos();
        while (!lifecycle.awaitShutdown(Duration.ofSeconds(1))) {
            if (System.nanoTime() > next) {
                next = System.nanoTime() + every.toNanos();
                out.println(PduMetrics.line(poller));
            }
        }
        out.println("Connector stopped: " + PduMetrics.line(poller));
        return 0;
    }

    private static Snmp openSnmp() {
        try {
            DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
            Snmp snmp = new Snmp(transport);
            transport.listen();
            return snmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open an SNMP socket", e);
        }
    }
}
