package io.vmres.connector.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.connector.ipmi.IpmiFencer;
import io.vmres.connector.libvirt.LibvirtConnector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorSettingsTest {
    @TempDir Path dir;

    @Test
    void serviceOptionsComeFromTheFileWithExactlyOnceByDefault() throws Exception {
        Path f =
                Files.writeString(
                        dir.resolve("c.properties"),
                        "group=pool-a\nmax.in.flight=32\nmax.in.flight.per.target=4\n"
                                + "command.timeout=90s\nclose.timeout=PT5S\ntransactional.id=pool-a-1\n");
        ConnectorOptions o = ConnectorSettings.load(f).options("dflt");
        assertThat(o.groupId()).isEqualTo("pool-a");
        assertThat(o.clientId()).isEqualTo("pool-a");
        assertThat(o.transactionalId()).isEqualTo("pool-a-1");
        assertThat(o.maxInFlight()).isEqualTo(32);
        assertThat(o.maxInFlightPerTarget()).isEqualTo(4);
        assertThat(o.commandTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(o.closeTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.exactlyOnce()).isTrue();
        assertThat(ConnectorSettings.empty().options("dflt").groupId()).isEqualTo("dflt");
    }

    @Test
    void badValuesAreRejectedWithTheirKey() {
        ConnectorSettings s =
                ConnectorSettings.of(Map.of("max.in.flight", "many", "command.timeout", "soon"));
        assertThatThrownBy(() -> s.options("g")).hasMessageContaining("max.in.flight");
        assertThatThrownBy(() -> s.getDuration("command.timeout", Duration.ZERO))
                .hasMessageContaining("command.timeout");
        assertThat(ConnectorSettings.duration("k", "500ms")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void libvirtAndIpmiHostsAreReadFromTheirKeys() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "s3cret\n");
        ConnectorSettings s =
                ConnectorSettings.of(
                        Map.of(
                                "libvirt.host.h1.uri", "test:///default",
                                "libvirt.host.h2.uri", "qemu+ssh://h2/system",
                                "libvirt.host.h2.fence.uri", "qemu:///system",
                                "libvirt.host.h2.fence.domain", "h2",
                                "ipmi.host.h1.address", "10.0.0.1",
                                "ipmi.host.h1.user", "admin",
                                "ipmi.host.h1.password.file", pw.toString()));
        LibvirtConnector libvirt = LibvirtConnector.fromSettings(s);
        assertThat(libvirt.hosts()).containsOnlyKeys("h1", "h2");
        assertThat(libvirt.hosts().get("h2").fenceDomain()).isEqualTo("h2");
        libvirt.close();
        IpmiFencer ipmi = IpmiFencer.fromSettings(s);
        assertThat(ipmi).isNotNull();
        assertThatThrownBy(() -> IpmiFencer.fromSettings(ConnectorSettings.empty()))
                .hasMessageContaining("no ipmi.host.<host>.address");
    }

    @Test
    void aCommandTimeoutNotShorterThanTheJobsRefusesToStart() {
        assertThatThrownBy(
                        () -> ConnectorSettings.of(Map.of("command.timeout", "PT5M")).options("g"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be shorter than the job's commandTimeout (PT5M)");
        assertThatThrownBy(
                        () ->
                                ConnectorSettings.of(
                                                Map.of(
                                                        "command.timeout", "4m",
                                                        "settle.timeout", "60s"))
                                        .options("g"))
                .hasMessageContaining("settleTimeout (PT1M)");
        ConnectorOptions o =
                ConnectorSettings.of(
                                Map.of(
                                        "command.timeout", "PT10M",
                                        "job.command.timeout", "PT15M",
                                        "ledger.retention", "PT48H"))
                        .options("g");
        assertThat(o.commandTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.ledgerRetention()).isEqualTo(Duration.ofHours(48));
        ConnectorOptions d = ConnectorSettings.empty().options("g");
        assertThat(d.commandTimeout().plus(d.settleTimeout())).isLessThan(d.jobCommandTimeout());
        assertThat(d.ledgerRetention()).isEqualTo(Duration.ofHours(24));
    }
}
