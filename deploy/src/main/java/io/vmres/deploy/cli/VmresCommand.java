package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.Lifecycle;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top-level {@code vmres} command: its help, its version and its subcommands. */
@Command(
        name = "vmres",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Keeps virtual machines running when the physical servers under them fail: telemetry in"
                    + " from Kafka, decisions in a Flink job, commands out to hypervisor connectors.",
            ""
        },
        commandListHeading = "%nCommands:%n",
        subcommands = {
            DemoCommand.class,
            KafkaCommand.class,
            JobCommand.class,
            ReplayCommand.class,
            RecordCommand.class,
            ConfirmCommand.class,
            ConnectorCommand.class,
            GenerateCommand.class,
            PlanCommand.class,
            WhatIfCommand.class,
            ShadowCommand.class,
            BenchCommand.class,
            DashboardCommand.class,
            ClusterCommand.class,
            FleetCommand.class,
            TopicsCommand.class,
            HelpCommand.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres demo                the job on 200 simulated hosts, until Ctrl-C",
            "  vmres dashboard           the live dashboard of a running vmres",
            "  vmres kafka               a local broker at 127.0.0.1:9092",
            "  vmres replay rec.jsonl    a recording through the job, into out/rec/",
            "  vmres generate --out f.jsonl.gz   a one-hour recording of 400 hosts",
            "  vmres bench replay        how fast such a recording replays",
            "  vmres plan rec.jsonl      each host's failover plan and the admission view",
            "  vmres whatif rec.jsonl --fail rack:r02   what a rack's failure would do",
            "  vmres COMMAND --help      the options of one command",
            "",
            "Exit codes: 0 ok, 1 failure, 2 usage error. Logs: .vmres/logs/vmres.log"
        })
public final class VmresCommand implements Callable<Integer> {
    private final Actions actions;
    private final Lifecycle lifecycle;
    private Map<String, String> env = System.getenv();

    @Spec private CommandSpec spec;

    public VmresCommand(Actions actions, Lifecycle lifecycle) {
        this.actions = Objects.requireNonNull(actions, "actions");
        this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    Actions actions() {
        return actions;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    /** The environment variables the commands read (the process's own unless told). */
    Map<String, String> env() {
        return env;
    }

    void env(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing a command.");
    }
}
