package io.vmres.deploy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code vmres bench}: how fast vmres does its work on this machine, part by part. */
@Command(
        name = "bench",
        header = "Measures vmres on this machine: replay, ingest, detection, state, recovery.",
        description = {
            "Each part writes DIR/NAME.json (every figure, the machine, the command, the targets),"
                    + " DIR/NAME.md (a report section) and its plots DIR/NAME-*.svg; bench all runs"
                    + " every part and writes DIR/report.md. See docs/benchmarks.md.",
            "",
            "Numbers on a loaded machine are noisy: the load average is in every report.",
            ""
        },
        synopsisSubcommandLabel = "PART",
        subcommands = {
            BenchReplayCommand.class,
            BenchRecoveryCommand.class,
            BenchIngestCommand.class,
            BenchDetectCommand.class,
            BenchStateCommand.class,
            BenchPlanCommand.class,
            BenchLiveCommand.class,
            BenchAllCommand.class
        },
        commandListHeading = "%nParts:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench all                       every part, about 20 minutes",
            "  vmres bench all --update-docs         and the figures into docs/benchmarks.md",
            "  vmres bench ingest --json ingest.json the live job against the passthrough",
            "  vmres bench state --hosts 1000        checkpoint and heap of a smaller fleet",
            "  vmres bench replay --hosts 100 --duration 10m --runs 1",
            "  vmres bench recovery --plot recovery.svg"
        })
final class BenchCommand extends Subcommand {
    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "bench-results",
            scope = ScopeType.INHERIT,
            description = "Where the parts write their files (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            scope = ScopeType.INHERIT,
            description = "Also writes the part's figures to this file as JSON.")
    Path json;

    @Override
    public Integer call() {
        throw usage(
                "Missing a part: replay, recovery, ingest, detect, state or all (vmres bench"
                        + " --help).");
    }

    Actions benchActions() {
        return actions();
    }

    io.vmres.deploy.runtime.Lifecycle benchLifecycle() {
        return lifecycle();
    }

    Path writable(Path p, String what) {
        return writableTarget(p, what);
    }
}
