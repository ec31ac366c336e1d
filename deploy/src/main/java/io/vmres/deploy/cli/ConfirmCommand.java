package io.vmres.deploy.cli;

import io.vmres.deploy.cli.Actions.ConfirmArgs;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmres confirm}: an operator's word that a host is down, for hosts without a BMC. */
@Command(
        name = "confirm",
        header = "Confirms that a host without a BMC is down.",
        description = {
            "Confirms that a host awaiting confirmation is down (powered off or cut off by hand)."
                    + " vmres never restarts VMs without proof that their host is down; for a host"
                    + " without a power controller (BMC) this confirmation is the proof.",
            "",
            "Sends the request, then waits for the job's answer: applied (the host's incident"
                    + " holds the confirmation and its VMs are restarted) or ignored (a"
                    + " CONFIRM_IGNORED alert says why: the host is alive, unknown, not declared"
                    + " yet...).",
            "",
            "Exit codes: 0 applied (or sent, with --wait 0s), 1 failure (such as a broker that"
                    + " cannot be reached), 2 usage error, 3 ignored by the job, 4 no answer"
                    + " within --wait.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {"  vmres confirm rack7-host12 --reason \"pulled the power cords\""})
final class ConfirmCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "HOST", description = "The host that is down.")
    private String host;

    @Option(
            names = "--reason",
            paramLabel = "TEXT",
            required = true,
            description = "How you know the host is down; kept with the incident.")
    private String reason;

    @Option(
            names = "--requested-by",
            paramLabel = "NAME",
            defaultValue = "${sys:user.name}",
            description = "Who confirms (default: your user name, ${DEFAULT-VALUE}).")
    private String requestedBy;

    @Option(
            names = "--wait",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description =
                    "How long to wait for the job's answer (default: ${DEFAULT-VALUE}; 0s: send"
                            + " only).")
    private Duration wait;

    @Mixin private BootstrapOption bootstrap;

    @Override
    public Integer call() throws Exception {
        if (host.isBlank()) {
            throw usage("HOST must not be empty");
        }
        if (reason.isBlank()) {
            throw usage("--reason must not be empty");
        }
        if (requestedBy == null || requestedBy.isBlank()) {
            throw usage("--requested-by must not be empty");
        }
        ConfirmArgs args =
                new ConfirmArgs(
                        host.trim(), reason.trim(), requestedBy.trim(), bootstrap.kafka(), wait);
        return actions().confirm(args, lifecycle());
    }
}
