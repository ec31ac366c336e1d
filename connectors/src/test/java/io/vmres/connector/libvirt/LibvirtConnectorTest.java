package io.vmres.connector.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;

/**
 * The libvirt connector against real libvirt (Debian's libvirt0, installed by {@code bin/setup
 * --with libvirt}), on its test driver: two node files are two hosts, each a connection of its own.
 */
class LibvirtConnectorTest {
    private static final Duration T = Duration.ofSeconds(10);

    @TempDir Path dir;
    private LibvirtConnector libvirt;

    @BeforeAll
    static void libvirtInstalled() {
        boolean ok;
        String why = "";
        try {
            new Connect("test:///default").close();
            ok = true;
        } catch (Throwable e) {
            ok = false;
            why = e.toString();
        }
        assumeTrue(ok, "libvirt is not installed (run bin/setup --with libvirt): " + why);
    }

    @BeforeEach
    void hosts() throws IOException {
        Files.writeString(
                dir.resolve("h1.xml"),
                node(
                        "<domain type='test'><name>vm1</name><memory>1048576</memory>"
                                + "<os><type>hvm</type></os></domain>"
                                + "<domain type='test'><name>vm2</name><memory>1048576</memory>"
                                + "<os><type>hvm</type></os></domain>",
                        "vm1-disk"));
        Files.writeString(dir.resolve("h2.xml"), node("", "vm1-disk"));
        Files.writeString(
                dir.resolve("h0.xml"),
                node(
                        "<domain type='test'><name>h1-vm</name><memory>1048576</memory>"
                                + "<os><type>hvm</type></os></domain>",
                        "other"));
        libvirt =
                LibvirtConnector.builder()
                        .host("h1", uri("h1"), uri("h0"), "h1-vm")
                        .host("h2", uri("h2"))
                        .storagePool("vols")
                        .build();
    }

    @AfterEach
    void close() {
        if (libvirt != null) {
            libvirt.close();
        }
    }

    private String uri(String node) {
        return "test://" + dir.resolve(node + ".xml").toAbsolutePath();
    }

    private static String node(String domains, String volume) {
        return "<node>"
                + domains
                + "<pool type='dir'><name>vols</name><target><path>/vols</path></target>"
                + "<volume type='file'><name>"
                + volume
                + "</name><capacity unit='G'>1</capacity></volume></pool></node>";
    }

    @Test
    void aRestartThatCameUpLateIsStoppedAndUndefinedWhenSettled() throws Exception {
        for (String vm : libvirt.running("h1")) {
            libvirt.connection("h1").domainLookupByName(vm).destroy();
        }
        Request.Restart late = new Request.Restart("c1", "vm1", "h1", "h2");
        // Nothing there yet: settled at once.
        assertThat(libvirt.settle(late, T)).isEqualTo(Outcome.succeeded("vm1 not defined on h2"));

        // The call the connector gave up on finishes after all.
        assertThat(libvirt.restart(late, T).isSuccess()).isTrue();
        assertThat(libvirt.running("h2")).containsExactly("vm1");

        assertThat(libvirt.settle(late, T))
                .isEqualTo(Outcome.succeeded("started late on h2; stopped there"));
        assertThat(libvirt.running("h2")).isEmpty();
        assertThat(LibvirtConnector.lookup(libvirt.connection("h2"), "vm1")).isNull();
    }

    @Test
    void vmRestartsOnASecondConnectionOnceItsHostIsDown() throws Exception {
        assertThat(libvirt.running("h1")).contains("vm1", "vm2");
        assertThat(libvirt.running("h2")).isEmpty();

        // While the VM runs on its host, it is never started a second time.
        Outcome early = libvirt.restart(new Request.Restart("c0", "vm1", "h1", "h2"), T);
        assertThat(early.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(early.detail()).contains("still runs on h1");
        assertThat(libvirt.running("h2")).isEmpty();

        // The host goes down: its domains stop (its libvirt still answers with their definitions).
        for (String vm : libvirt.running("h1")) {
            libvirt.connection("h1").domainLookupByName(vm).destroy();
        }

        Outcome restarted = libvirt.restart(new Request.Restart("c1", "vm1", "h1", "h2"), T);
        assertThat(restarted.isSuccess()).as(restarted.detail()).isTrue();
        assertThat(libvirt.running("h2")).containsExactly("vm1");
        // Again (a redelivery, a command in doubt): already running there, not defined twice.
        Outcome again = libvirt.runInDoubt(new Request.Restart("c1", "vm1", "h1", "h2"), T);
        assertThat(again.isSuccess()).isTrue();
        assertThat(again.detail()).contains("already running");
        assertThat(libvirt.running("h2")).containsExactly("vm1");
    }

    @Test
    void fenceOfAHostThatIsAVmDestroysItsDomain() throws Exception {
        Connect h0 = libvirt.open(uri("h0")); // the connector's own connection to it
        assertThat(h0.domainLookupByName("h1-vm").isActive()).isEqualTo(1);

        Outcome fenced = libvirt.fence(new Request.Fence("f1", "h1"), T);

        assertThat(fenced.isSuccess()).as(fenced.detail()).isTrue();
        assertThat(h0.domainLookupByName("h1-vm").isActive()).isEqualTo(0);
        assertThat(libvirt.fence(new Request.Fence("f1", "h1"), T).isSuccess()).isTrue();
    }

    @Test
    void fenceOfAPlainHostDestroysEveryDomainOnIt() throws Exception {
        Outcome fenced = libvirt.fence(new Request.Fence("f2", "h2"), T);
        assertThat(fenced.isSuccess()).isTrue();

        LibvirtConnector one = LibvirtConnector.builder().host("h1", uri("h1")).build();
        try {
            Outcome out = one.fence(new Request.Fence("f3", "h1"), T);
            assertThat(out.isSuccess()).as(out.detail()).isTrue();
            assertThat(out.detail()).contains("destroyed 2 domains");
            assertThat(one.running("h1")).isEmpty();
        } finally {
            one.close();
        }
    }

    @Test
    void disksMapWhenTheirVolumesAreInThePoolOfTheTarget() throws Exception {
        Outcome ok =
                libvirt.mapDisks(
                        new Request.MapDisks("m1", "h1", "h2", List.of("vm1"), List.of("vm1-disk")),
                        T);
        assertThat(ok.isSuccess()).as(ok.detail()).isTrue();

        Outcome missing =
                libvirt.mapDisks(
                        new Request.MapDisks("m2", "h1", "h2", List.of("vm9"), List.of("vm9-disk")),
                        T);
        assertThat(missing.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(missing.detail()).contains("vm9-disk");
    }

    @Test
    void migrationTheDriverCannotDoFailsCleanly() throws Exception {
        // libvirt's test driver has no migration: the answer is a failure with libvirt's reason,
        // and the VM stays where it runs.
        Outcome out = libvirt.migrate(new Request.Migrate("g1", "vm2", "h1", "h2"), T);
        assertThat(out.status()).isEqualTo(Outcome.Status.FAILED);
        assertThat(out.detail()).contains("not supported");
        assertThat(libvirt.running("h1")).contains("vm2");
    }

    @Test
    void anUnknownHostFailsAndAnUnreachableOneIsTransient() throws Exception {
        Outcome out = libvirt.fence(new Request.Fence("f9", "h9"), T);
        assertThat(out.status()).isEqualTo(Outcome.Status.FAILED);

        LibvirtConnector broken =
                LibvirtConnector.builder().host("h1", "test:///no/such/node.xml").build();
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> broken.restart(new Request.Restart("c9", "vm1", "h0", "h1"), T))
                    .isInstanceOf(io.vmres.connector.runtime.TransientException.class);
        } finally {
            broken.close();
        }
    }
}
