package io.vmres.connector.power;

import static io.vmres.schema.PowerState.off;
import static io.vmres.schema.PowerState.on;
import static io.vmres.schema.PowerState.unknown;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Redfish reader against the simulated PDU, a process of its own speaking HTTP. */
class RedfishPduTest {
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(2);
    @TempDir static Path dir;
    private static RedfishPduSimulator sim;

    @BeforeAll
    static void start() throws Exception {
        sim = RedfishPduSimulator.start(dir, "admin", "s3cret", 4, "1", "2", "3", "4", "5", "6");
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static RedfishPdu pdu(String id, String password) {
        return new RedfishPdu(
                URI.create(sim.url(id)),
                "admin",
                password,
                null,
                Duration.ofSeconds(2),
                1 << 20,
                20);
    }

    @Test
    void aPoweredPduReadsOnWithEveryOutlet() throws Exception {
        PduReading r = pdu("1", "s3cret").read(Set.of(), TIMEOUT);
        assertThat(r.device()).isEqualTo(on);
        assertThat(r.outlets()).isEqualTo(Map.of("A1", on, "A2", on, "A3", on, "A4", on));
        assertThat(pdu("1", "s3cret").read(Set.of("A2"), TIMEOUT).outlets())
                .isEqualTo(Map.of("A2", on));
    }

    @Test
    void switchedOffMainsLostAndOneOutletOffAreTold() throws Exception {
        sim.set("2", "off");
        assertThat(pdu("2", "s3cret").read(Set.of(), TIMEOUT).device()).isEqualTo(off);
        sim.set("3", "mains-lost");
        PduReading lost = pdu("3", "s3cret").read(Set.of(), TIMEOUT);
        assertThat(lost.device()).isEqualTo(off);
        assertThat(lost.detail()).contains("mains");
        sim.set("4", "outlet-off", "A3");
        PduReading one = pdu("4", "s3cret").read(Set.of("A3", "A4"), TIMEOUT);
        assertThat(one.device()).isEqualTo(on);
        assertThat(one.outlets()).isEqualTo(Map.of("A3", off, "A4", on));
        sim.set("2", "on");
        assertThat(pdu("2", "s3cret").read(Set.of(), TIMEOUT).device()).isEqualTo(on);
    }

    @Test
    void doubtIsUnknownNeverOff() throws Exception {
        assertThat(pdu("1", "wrong").read(Set.of(), TIMEOUT))
                .satisfies(r -> assertThat(r.device()).isEqualTo(unknown))
                .satisfies(r -> assertThat(r.detail()).contains("HTTP 401"));
        assertThat(pdu("9", "s3cret").read(Set.of(), TIMEOUT).detail()).contains("HTTP 404");
        assertThat(pdu("1", "s3cret").read(Set.of("B7"), TIMEOUT).outlets())
                .isEqualTo(Map.of("B7", unknown));

        sim.set("5", "garbage");
        PduReading garbage = pdu("5", "s3cret").read(Set.of(), TIMEOUT);
        assertThat(garbage.answered()).isFalse();
        assertThat(garbage.detail()).contains("no JSON");

        sim.set("5", "huge");
        PduReading huge = pdu("5", "s3cret").read(Set.of(), TIMEOUT);
        assertThat(huge.answered()).isFalse();
        assertThat(huge.detail()).contains("larger than 1048576 bytes");

        sim.set("6", "hang");
        long t0 = System.nanoTime();
        PduReading hung = pdu("6", "s3cret").read(Set.of(), TimeUnit.MILLISECONDS.toNanos(800));
        assertThat(hung.answered()).isFalse();
        assertThat(hung.detail()).contains("within the timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aLinkToAnotherHostIsNotFollowed() throws Exception {
        // The PDU resource itself on a port where nothing listens: connection refused, unknown.
        RedfishPdu gone =
                new RedfishPdu(
                        URI.create("http://127.0.0.1:1/redfish/v1/PowerEquipment/RackPDUs/1"),
                        null,
                        null,
                        null,
                        Duration.ofSeconds(1),
                        1 << 20,
                        20);
        assertThat(gone.read(Set.of(), TIMEOUT).answered()).isFalse();
    }
}
