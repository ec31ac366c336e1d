package io.vmres.deploy.cli;

import io.vmres.deploy.commands.Plan;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmres plan}: the failover plan of every host and the admission view at a time. */
@Command(
        name = "plan",
        header = "Prints the failover plan of every host and which failures a cluster can absorb.",
        description = {
            "Reads a recording through the decision engines (no Kafka, no Flink) up to a time, then"
                    + " prints, per cluster, the prestaged plan of every host (where each of its HA VMs"
                    + " would be restarted if it failed then) and the admission view: the hosts, racks"
                    + " and power domains whose failure would leave HA VMs unplaced.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres plan ../shared/scenarios/single-host-crash.jsonl",
            "  vmres plan rec.jsonl --at 2026-03-01T10:02:00Z",
            "  vmres plan rec.jsonl --at 90s --json     90 s after the first event, as JSON"
        })
final class PlanCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "RECORDING", description = "The recording (JSON Lines).")
    private Path recording;

    @Option(
            names = "--at",
            paramLabel = "TIME",
            description =
                    "A timestamp (2026-03-01T10:02:00Z) or a duration after the first event (90s, 5m);"
                            + " default: the recording's last event.")
    private String at;

    @Option(names = "--json", description = "One JSON object, for machines.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
        Path file = readableFile(recording, "RECORDING");
        At moment = at(at);
        Plan.Snapshot s = Plan.at(file, moment.timestamp(), moment.afterFirstMs());
        for (String warning : Plan.warnings(file, s)) {
            err().println(warning);
        }
        err().flush();
        if (s.events() == 0) {
            return Cli.FAILURE; // as a replay of it: garbage does not succeed
        }
        if (json) {
            out().println(Plan.json(s));
            out().flush();
        } else {
            Plan.print(s, out());
        }
        return 0;
    }
}
