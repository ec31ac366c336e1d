package io.vmres.connector.power;

import static io.vmres.connector.testing.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmres.connector.runtime.ConnectorSettings;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.PowerDomain;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snmp4j.Snmp;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * The poller on real devices (the Redfish PDU simulator's process and snmpd as a UPS): one {@code
 * PowerDomain} record per domain and round, keyed by domain, off only when every feed reads off.
 */
class PowerDomainPollerTest {
    @TempDir Path dir;

    @Test
    void publishesEachDomainsStateFromItsFeeds() throws Exception {
        assumeTrue(
                UpsAgentSimulator.available(),
                "snmpd is not installed (run bin/setup --with snmp)");
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        Files.writeString(dir.resolve("community"), "vmres-ro\n");
        Path upsDir = Files.createDirectories(dir.resolve("ups"));
        try (RedfishPduSimulator pdus = RedfishPduSimulator.start(dir, "admin", "s3cret", 4, "1");
                UpsAgentSimulator ups = UpsAgentSimulator.start(upsDir, "vmres-ro")) {
            ConnectorSettings s =
                    ConnectorSettings.of(
                            Map.ofEntries(
                                    Map.entry("pdu.interval", "1s"),
                                    Map.entry("pdu.timeout", "1s"),
                                    Map.entry("pdu.source.rack.type", "redfish"),
                                    Map.entry("pdu.source.rack.url", pdus.url("1")),
                                    Map.entry("pdu.source.rack.user", "admin"),
                                    Map.entry(
                                            "pdu.source.rack.password.file",
                                            dir.resolve("pw").toString()),
                                    Map.entry("pdu.source.ups.type", "snmp"),
                                    Map.entry("pdu.source.ups.address", ups.address()),
                                    Map.entry(
                                            "pdu.source.ups.community.file",
                                            dir.resolve("community").toString()),
                                    Map.entry("pdu.domain.pd-left.feeds", "rack/A1,rack/A2"),
                                    Map.entry("pdu.domain.pd-ups.feeds", "ups"),
                                    Map.entry("pdu.domain.pd-dual.feeds", "rack/A3,ups")));
            PduSettings settings = PduSettings.from(s);
            MockProducer<byte[], byte[]> producer =
                    new MockProducer<>(
                            true, null, new ByteArraySerializer(), new ByteArraySerializer());
            DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
            try (Snmp snmp = new Snmp(transport)) {
                transport.listen();
                Map<String, PduReader> readers = settings.readers(s, () -> snmp);
                try (PowerDomainPoller poller =
                        new PowerDomainPoller(settings, readers, producer, Clock.systemUTC())) {
                    awaitStates(producer, "on", "on", "on");

                    // Two outlets of the left domain cut, and the UPS's output gone.
                    pdus.set("1", "outlet-off", "A1");
                    pdus.set("1", "outlet-off", "A2");
                    ups.outputSource("2");
                    // The dual domain still has its PDU outlet: on.
                    awaitStates(producer, "off", "off", "on");

                    pdus.set("1", "outlet-off", "A3");
                    awaitStates(producer, "off", "off", "off");

                    // The PDU stops answering: its domains turn unknown, never stay off.
                    pdus.set("1", "hang");
                    awaitStates(producer, "unknown", "off", "unknown");

                    assertThat(PduMetrics.prometheus(poller))
                            .contains(
                                    "vmres_pdu_domain_state{domain=\"pd-left\",state=\"unknown\"} 1")
                            .contains("vmres_pdu_domain_state{domain=\"pd-ups\",state=\"off\"} 1")
                            .contains(
                                    "vmres_pdu_device_reads_total{source=\"rack\",outcome=\"unknown\"}")
                            .contains("vmres_pdu_readings_total{domain=\"pd-dual\",state=\"off\"}");
                    assertThat(PduMetrics.line(poller))
                            .contains("pd-dual=unknown pd-left=unknown pd-ups=off");
                }
            }
            List<ProducerRecord<byte[], byte[]>> sent = producer.history();
            assertThat(sent).allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.POWER));
            AvroCodec codec = new AvroCodec();
            for (ProducerRecord<byte[], byte[]> r : sent) {
                PowerDomain p = (PowerDomain) codec.decode(r.value());
                assertThat(new String(r.key(), StandardCharsets.UTF_8))
                        .isEqualTo(p.getPowerDomain());
                assertThat(p.getSource())
                        .isEqualTo(
                                Map.of("pd-left", "rack", "pd-ups", "ups", "pd-dual", "rack,ups")
                                        .get(p.getPowerDomain()));
            }
        }
    }

    /** Waits until the latest reading of pd-left, pd-ups and pd-dual are these. */
    private static void awaitStates(
            MockProducer<byte[], byte[]> producer, String left, String ups, String dual) {
        Map<String, String> want = Map.of("pd-left", left, "pd-ups", ups, "pd-dual", dual);
        await(
                "power-domain readings " + want,
                Duration.ofSeconds(15),
                () -> latest(producer).equals(want));
    }

    private static Map<String, String> latest(MockProducer<byte[], byte[]> producer) {
        AvroCodec codec = new AvroCodec();
        Map<String, String> out = new TreeMap<>();
        for (ProducerRecord<byte[], byte[]> r : producer.history()) {
            try {
                PowerDomain p = (PowerDomain) codec.decode(r.value());
                out.put(p.getPowerDomain(), p.getState().name());
            } catch (AvroCodec.BadRecordException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }
}
