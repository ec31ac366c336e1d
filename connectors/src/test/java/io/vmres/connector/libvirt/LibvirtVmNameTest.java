package io.vmres.connector.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command cannot name a VM that is no name: nothing outside the XML folder is ever read. */
class LibvirtVmNameTest {
    private static final Duration T = Duration.ofSeconds(5);

    @Test
    void namesThatCouldLeaveTheXmlFolderAreRefusedBeforeAnyCall(@TempDir Path dir)
            throws Exception {
        Path xml = Files.createDirectory(dir.resolve("xml"));
        Files.writeString(dir.resolve("secret.xml"), "<domain/>");
        // no libvirt behind these hosts: a refused name must not get as far as a connection
        LibvirtConnector libvirt =
                LibvirtConnector.builder()
                        .host("h1", "test:///nowhere-h1")
                        .host("h2", "test:///nowhere-h2")
                        .xmlDir(xml)
                        .build();
        try {
            for (String vm :
                    List.of(
                            "../secret",
                            "..",
                            ".hidden",
                            "a/../../secret",
                            "/etc/passwd",
                            "vm\\..\\x",
                            "vm\u0000",
                            "vm name",
                            "",
                            "v".repeat(257))) {
                assertThat(LibvirtConnector.isVmName(vm)).as(vm).isFalse();
                Outcome restart = libvirt.restart(new Request.Restart("c1", vm, "h1", "h2"), T);
                assertThat(restart.status()).as(vm).isEqualTo(Outcome.Status.FAILED);
                assertThat(restart.detail()).startsWith("refused: not a VM name");
                Outcome migrate = libvirt.migrate(new Request.Migrate("c1", vm, "h1", "h2"), T);
                assertThat(migrate.detail()).startsWith("refused: not a VM name");
                assertThat(libvirt.settle(new Request.Restart("c1", vm, "h1", "h2"), T).detail())
                        .startsWith("refused: not a VM name");
            }
            for (String vm : List.of("vm1", "web-01.prod", "db_2", "a+b", "v".repeat(256))) {
                assertThat(LibvirtConnector.isVmName(vm)).as(vm).isTrue();
            }
        } finally {
            libvirt.close();
        }
    }
}
