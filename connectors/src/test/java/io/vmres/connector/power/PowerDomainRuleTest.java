package io.vmres.connector.power;

import static io.vmres.schema.PowerState.off;
import static io.vmres.schema.PowerState.on;
import static io.vmres.schema.PowerState.unknown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.runtime.ConnectorSettings;
import io.vmres.schema.PowerState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PowerDomainRuleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PduReading outlets(PowerState device, Map<String, PowerState> outlets) {
        return new PduReading(device, outlets, "");
    }

    @Test
    void aDomainIsOffOnlyWhenEveryFeedReadsOff() {
        List<PowerFeed> feeds = PowerFeed.parseList("k", "a/A1, a/A2, ups");
        PduReading aOff = outlets(on, Map.of("A1", off, "A2", off));
        PduReading upsOff = outlets(off, Map.of());
        assertThat(PowerDomainRule.domain(feeds, Map.of("a", aOff, "ups", upsOff))).isEqualTo(off);
        // one feed still powered: the hosts run on their second supply
        assertThat(PowerDomainRule.domain(feeds, Map.of("a", aOff, "ups", outlets(on, Map.of()))))
                .isEqualTo(on);
        // one feed that cannot be read: never off on doubt
        assertThat(
                        PowerDomainRule.domain(
                                feeds, Map.of("a", aOff, "ups", PduReading.unknown("timeout"))))
                .isEqualTo(unknown);
        assertThat(PowerDomainRule.domain(feeds, Map.of("a", aOff))).isEqualTo(unknown);
        // an outlet the PDU did not report
        assertThat(
                        PowerDomainRule.domain(
                                feeds, Map.of("a", outlets(on, Map.of("A1", off)), "ups", upsOff)))
                .isEqualTo(unknown);
    }

    @Test
    void aDeviceSwitchedOffOrWithDeadMainsCutsEveryOutlet() {
        PowerFeed outlet = new PowerFeed("a", Optional.of("A1"));
        assertThat(PowerDomainRule.feed(outlet, outlets(off, Map.of()))).isEqualTo(off);
        assertThat(PowerDomainRule.feed(outlet, outlets(unknown, Map.of("A1", on)))).isEqualTo(on);
        PowerFeed whole = new PowerFeed("a", Optional.empty());
        assertThat(PowerDomainRule.feed(whole, outlets(on, Map.of("A1", off, "A2", off))))
                .isEqualTo(off);
        assertThat(PowerDomainRule.feed(whole, outlets(on, Map.of("A1", off, "A2", unknown))))
                .isEqualTo(unknown);
        assertThat(PowerDomainRule.feed(whole, outlets(unknown, Map.of()))).isEqualTo(unknown);
        assertThat(PowerDomainRule.feed(whole, null)).isEqualTo(unknown);
    }

    @Test
    void aCircuitIsOffWhenSwitchedOffOrMeasuredWithoutVoltage() throws Exception {
        assertThat(circuit("{\"PowerState\":\"Off\"}")).isEqualTo(off);
        assertThat(circuit("{\"PowerState\":\"Off\",\"Voltage\":{\"Reading\":0}}")).isEqualTo(off);
        assertThat(circuit("{\"PowerState\":\"On\",\"Voltage\":{\"Reading\":0.4}}")).isEqualTo(off);
        assertThat(circuit("{\"PowerState\":\"On\",\"Voltage\":{\"Reading\":229.8}}"))
                .isEqualTo(on);
        assertThat(circuit("{\"PowerState\":\"On\"}")).isEqualTo(on);
        // contradictions and states in between prove nothing
        assertThat(circuit("{\"PowerState\":\"Off\",\"Voltage\":{\"Reading\":231}}"))
                .isEqualTo(unknown);
        assertThat(circuit("{\"PowerState\":\"PoweringOff\"}")).isEqualTo(unknown);
        assertThat(circuit("{\"PowerState\":\"On\",\"Voltage\":{\"Reading\":null}}")).isEqualTo(on);
        assertThat(circuit("{}")).isEqualTo(unknown);
        // watts are no proof: a powered outlet may feed an idle load
        assertThat(circuit("{\"PowerState\":\"On\",\"PowerWatts\":{\"Reading\":0}}")).isEqualTo(on);
    }

    private static ConnectorSettings settings(String... kv) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return ConnectorSettings.of(m);
    }

    private static PowerState circuit(String json) throws Exception {
        return RedfishPdu.circuit(JSON.readTree(json), 20);
    }

    @Test
    void upsOutputSourceNoneIsTheOnlyOff() {
        assertThat(UpsMib.outputState(2)).isEqualTo(off);
        for (long v : new long[] {3, 4, 5, 6, 7}) {
            assertThat(UpsMib.outputState(v)).as("%d", v).isEqualTo(on);
        }
        for (long v : new long[] {0, 1, 8, -2}) {
            assertThat(UpsMib.outputState(v)).as("%d", v).isEqualTo(unknown);
        }
    }

    @Test
    void settingsNameSourcesDomainsAndRefuseWhatCannotWork() {
        PduSettings s =
                PduSettings.from(
                        settings(
                                "pdu.source.a.type", "redfish",
                                "pdu.source.a.url",
                                        "http://10.0.0.5/redfish/v1/PowerEquipment/RackPDUs/1",
                                "pdu.source.a.user", "admin",
                                "pdu.source.a.password", "pw",
                                "pdu.source.u.type", "snmp",
                                "pdu.source.u.address", "udp:10.0.0.6/161",
                                "pdu.source.u.community", "c",
                                "pdu.source.unused.type", "snmp",
                                "pdu.source.unused.address", "udp:10.0.0.9/161",
                                "pdu.source.unused.community", "c",
                                "pdu.domain.pd1.feeds", "a/A1,a/A2",
                                "pdu.domain.pd2.feeds", "u"));
        assertThat(s.domains()).containsOnlyKeys("pd1", "pd2");
        assertThat(s.domains().get("pd1"))
                .extracting(PowerFeed::toString)
                .containsExactly("a/A1", "a/A2");
        assertThat(s.usedSources()).extracting(PduSettings.Source::name).containsExactly("a", "u");
        assertThat(s.sources().get("a").secret()).contains("pw");

        assertThatThrownBy(
                        () ->
                                PduSettings.from(
                                        ConnectorSettings.of(
                                                Map.of(
                                                        "pdu.source.u.type", "snmp",
                                                        "pdu.source.u.address", "udp:x/161",
                                                        "pdu.source.u.community", "c",
                                                        "pdu.domain.d.feeds", "u/A1"))))
                .hasMessageContaining("only a Redfish PDU has outlets");
        assertThatThrownBy(
                        () ->
                                PduSettings.from(
                                        ConnectorSettings.of(Map.of("pdu.domain.d.feeds", "x"))))
                .hasMessageContaining("no pdu.source.x");
        assertThatThrownBy(() -> PduSettings.from(ConnectorSettings.empty()))
                .hasMessageContaining("no power domain");
        assertThatThrownBy(
                        () ->
                                PduSettings.from(
                                        ConnectorSettings.of(
                                                Map.of(
                                                        "pdu.source.u.type", "snmp",
                                                        "pdu.source.u.address", "udp:x/161",
                                                        "pdu.source.u.community.file",
                                                                "/nonexistent/community",
                                                        "pdu.domain.d.feeds", "u"))))
                .hasMessageContaining("cannot read /nonexistent/community");
        assertThatThrownBy(() -> PowerFeed.parseList("k", "a//b"))
                .hasMessageContaining("is not SOURCE or SOURCE/OUTLET");
    }
}
