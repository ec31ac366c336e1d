package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmres replay --dashboard} on a port in use names the port and the way out. */
class ReplayDashboardPortTest {
    @TempDir Path dir;

    @Test
    void aBusyPortNamesItselfAndPortZero() throws Exception {
        Path recording = Files.writeString(dir.resolve("r.jsonl"), "{\"type\":\"meta\"}\n");
        StringWriter err = new StringWriter();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            int code =
                    new Cli(new WiredActions())
                            .setOut(new PrintWriter(new StringWriter(), true))
                            .setErr(new PrintWriter(err, true))
                            .run(
                                    "replay",
                                    recording.toString(),
                                    "--out",
                                    dir.resolve("out").toString(),
                                    "--dashboard",
                                    "--dashboard-port",
                                    String.valueOf(port));
            assertThat(code).isEqualTo(Cli.FAILURE);
            assertThat(err.toString())
                    .contains("port " + port + " is in use; --dashboard-port 0 picks a free one");
        }
    }
}
