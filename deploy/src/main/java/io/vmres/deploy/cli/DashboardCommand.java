package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.DashboardArgs;
import io.vmres.deploy.cli.Actions.DashboardOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vmres dashboard}: the fleet, incidents and recoveries, live in a browser. */
@Command(
        name = "dashboard",
        header = "Serves the live dashboard of a running vmres.",
        description = {
            "Reads the fleet-state, incidents, commands, command-results and alerts topics and serves"
                    + " a web page that shows them as they change: hosts by rack and state, open incidents"
                    + " and their recovery, commands in flight, recovery times, capacity headroom, alerts."
                    + " Read-only. It listens on loopback unless --bind says otherwise, and then every"
                    + " request must carry the token, read from --token-file or the environment"
                    + " variable "
                    + DashboardCommand.TOKEN_ENV
                    + " (never from the command line, which other users of the machine can read).",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres dashboard --bootstrap 127.0.0.1:9092",
            "  openssl rand -hex 16 > ~/.vmres-dashboard-token; chmod 600 ~/.vmres-dashboard-token",
            "  vmres dashboard --bind 0.0.0.0 --port 8443 --token-file ~/.vmres-dashboard-token \\",
            "      --allow-host vmres.example.com"
        })
final class DashboardCommand extends Subcommand {
    /** The dashboard's port unless told otherwise. */
    static final int DEFAULT_PORT = 8080;

    /** The environment variable that holds the token when no --token-file is given. */
    static final String TOKEN_ENV = "VMRES_DASHBOARD_TOKEN";

    @Mixin private BootstrapOption bootstrap;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "" + DEFAULT_PORT,
            description = "Port of the page (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description =
                    "Address to listen on (default: ${DEFAULT-VALUE}); any other than loopback needs"
                            + " --token.")
    private String bind;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description =
                    "A file holding the secret every request must carry (in the page's URL,"
                            + " ?token=TOKEN); without it, the environment variable "
                            + TOKEN_ENV
                            + ".")
    private Path tokenFile;

    /** Gone: a secret on the command line shows in every user's process list. */
    @Option(names = "--token", paramLabel = "TOKEN", hidden = true)
    private String tokenOnCommandLine;

    @Option(
            names = "--allow-host",
            paramLabel = "NAME[:PORT]",
            description =
                    "A name the page is reached by beyond this machine's own (a proxy's, a DNS"
                            + " name), with the port the browser uses when it is not --port;"
                            + " repeatable. Requests naming any other host are refused.")
    private List<String> allowHosts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (tokenOnCommandLine != null) {
            throw usage(
                    "--token is gone: a token on the command line shows in every user's process"
                            + " list; give --token-file FILE or set "
                            + TOKEN_ENV);
        }
        DashboardOptions o = options(this, port, bind, token());
        DashboardArgs args =
                new DashboardArgs(
                        bootstrap.kafka(),
                        new DashboardOptions(o.port(), o.bind(), o.token(), allowHosts));
        return actions().dashboard(args, lifecycle());
    }

    /** The token of --token-file, else of the environment; null when neither gives one. */
    private String token() {
        if (tokenFile != null) {
            readableFile(tokenFile, "--token-file");
            String t;
            try {
                t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw usage("--token-file " + tokenFile + " cannot be read: " + e.getMessage());
            }
            if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) {
                throw usage(
                        "--token-file " + tokenFile + " must hold one token, with no space in it");
            }
            return t;
        }
        String t = env(TOKEN_ENV);
        return t == null || t.isBlank() ? null : t.strip();
    }

    /** Checks where a dashboard is to listen: a port, an address, a token beyond loopback. */
    static DashboardOptions options(Subcommand cmd, int port, String bind, String token) {
        if (port < 0 || port > 65535) {
            throw cmd.usage("--port " + port + " is not in 0..65535");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw cmd.usage("--bind " + bind + " is not an address of this machine");
        }
        Optional<String> t = Optional.ofNullable(token).filter(s -> !s.isBlank());
        if (!address.isLoopbackAddress() && t.isEmpty()) {
            throw cmd.usage(
                    "--bind "
                            + bind
                            + " is reachable from other machines: give a token as well"
                            + " (--token-file FILE, or "
                            + TOKEN_ENV
                            + ")");
        }
        return new DashboardOptions(port, bind, t);
    }
}
