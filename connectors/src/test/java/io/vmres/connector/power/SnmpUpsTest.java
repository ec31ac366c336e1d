package io.vmres.connector.power;

import static io.vmres.schema.PowerState.off;
import static io.vmres.schema.PowerState.on;
import static io.vmres.schema.PowerState.unknown;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snmp4j.Snmp;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/** The SNMP reader against a real agent: Debian's snmpd answering the UPS-MIB. */
class SnmpUpsTest {
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(1);
    @TempDir static Path dir;
    private static UpsAgentSimulator agent;
    private static Snmp snmp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(
                UpsAgentSimulator.available(),
                "snmpd is not installed (run bin/setup --with snmp)");
        agent = UpsAgentSimulator.start(dir, "vmres-ro");
        DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
        snmp = new Snmp(transport);
        transport.listen();
    }

    @AfterAll
    static void stop() throws Exception {
        if (snmp != null) {
            snmp.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void theUpsOutputSourceTellsTheDomainsPower() throws Exception {
        SnmpUps ups = new SnmpUps(snmp, agent.address(), "vmres-ro", 0);
        try {
            PduReading normal = ups.read(Set.of(), TIMEOUT);
            assertThat(normal.device()).isEqualTo(on);
            assertThat(normal.detail())
                    .isEqualTo("upsOutputSource normal(3), upsBatteryStatus batteryNormal");
            agent.outputSource("5");
            assertThat(ups.read(Set.of(), TIMEOUT).device()).isEqualTo(on); // on battery: fed
            agent.outputSource("2");
            PduReading none = ups.read(Set.of(), TIMEOUT);
            assertThat(none.device()).isEqualTo(off);
            assertThat(none.detail()).startsWith("upsOutputSource none(2)");
            agent.outputSource("1");
            assertThat(ups.read(Set.of(), TIMEOUT).device()).isEqualTo(unknown);
            agent.outputSource("missing");
            assertThat(ups.read(Set.of(), TIMEOUT))
                    .satisfies(r -> assertThat(r.device()).isEqualTo(unknown))
                    .satisfies(r -> assertThat(r.detail()).contains("no integer upsOutputSource"));
        } finally {
            agent.outputSource("3");
        }
    }

    @Test
    void anAgentThatDoesNotAnswerIsUnknown() throws Exception {
        // A wrong community: snmpd drops the request without a word.
        assertThat(new SnmpUps(snmp, agent.address(), "wrong", 0).read(Set.of(), TIMEOUT))
                .satisfies(r -> assertThat(r.device()).isEqualTo(unknown))
                .satisfies(r -> assertThat(r.detail()).startsWith("no SNMP answer"));
        agent.outputSource("2");
        agent.freeze(true);
        try {
            PduReading frozen =
                    new SnmpUps(snmp, agent.address(), "vmres-ro", 1).read(Set.of(), TIMEOUT);
            assertThat(frozen.device()).isEqualTo(unknown); // its output reads none, but unsaid
        } finally {
            agent.freeze(false);
            agent.outputSource("3");
        }
    }
}
