package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.DashboardArgs;
import io.vmres.deploy.cli.Actions.DashboardOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
                    + " request must carry the --token.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres dashboard --bootstrap 127.0.0.1:9092",
            "  vmres dashboard --bind 0.0.0.0 --port 8443 --token \"$(openssl rand -hex 16)\""
        })
final class DashboardCommand extends Subcommand {
    /** The dashboard's port unless told otherwise. */
    static final int DEFAULT_PORT = 8080;

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
            names = "--token",
            paramLabel = "TOKEN",
            description = "A secret every request must carry (in the page's URL, ?token=TOKEN).")
    private String token;

    @Override
    public Integer call() throws Exception {
        DashboardArgs args = new DashboardArgs(bootstrap.kafka(), options(this, port, bind, token));
        return actions().dashboard(args, lifecycle());
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
                    "--bind " + bind + " is reachable from other machines: give a --token as well");
        }
        return new DashboardOptions(port, bind, t);
    }
}
