package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.cluster.Installation;
import io.vmres.deploy.runtime.cluster.LocalCluster;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code vmres cluster up|submit|status|down}: a multi-process vmres on this machine. */
@Command(
        name = "cluster",
        header = "Runs vmres as a local multi-process cluster.",
        description = {
            "Three Kafka brokers (KRaft), a Flink session cluster (a JobManager, two TaskManagers)"
                    + " and the simulated fleet with its connector, each a process of its own on"
                    + " 127.0.0.1, all state in --home. See docs/operations.md.",
            ""
        },
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            ClusterCommand.Up.class,
            ClusterCommand.Submit.class,
            ClusterCommand.Status.class,
            ClusterCommand.Down.class,
            ClusterChaos.class,
            ClusterScaleOut.class
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres cluster up && vmres cluster submit",
            "  vmres cluster status",
            "  vmres fleet crash any --control .vmres/cluster/fleet/control",
            "  vmres cluster down",
            "  vmres cluster chaos --faults 20 --vms 1000",
            "  vmres cluster scaleout --clusters 10 --hosts 1000"
        })
final class ClusterCommand extends Subcommand {
    @Option(
            names = "--home",
            paramLabel = "DIR",
            defaultValue = ".vmres/cluster",
            scope = picocli.CommandLine.ScopeType.INHERIT,
            description =
                    "The cluster's folder: ports, pids, logs, data (default: ${DEFAULT-VALUE}).")
    Path home;

    @Override
    public Integer call() {
        throw usage("Missing a command: up, submit, status, down, chaos or scaleout.");
    }

    LocalCluster cluster() {
        return new LocalCluster(home, System.out);
    }

    /** What the four commands share. */
    abstract static class Part implements Callable<Integer> {
        @Option(
                names = {"-h", "--help"},
                usageHelp = true,
                description = "Show this help message and exit.")
        private boolean help;

        @ParentCommand ClusterCommand parent;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        PrintStream out() {
            return System.out;
        }
    }

    @Command(name = "up", header = "Starts the brokers, Flink and the fleet.")
    static final class Up extends Part {
        @Option(
                names = "--hosts",
                defaultValue = "40",
                description = "Simulated hosts (default: ${DEFAULT-VALUE}).")
        int hosts;

        @Option(
                names = "--vms-per-host",
                defaultValue = "10",
                description = "VMs per host (default: ${DEFAULT-VALUE}).")
        int vmsPerHost;

        @Option(
                names = "--seed",
                defaultValue = "1",
                description = "The fleet's seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            if (hosts < 4 || vmsPerHost < 1) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--hosts must be at least 4 and --vms-per-host at least 1");
            }
            parent.cluster()
                    .up(
                            Installation.current(),
                            new LocalCluster.FleetShape(hosts, vmsPerHost, 2, seed));
            return Cli.OK;
        }
    }

    @Command(
            name = "submit",
            header = "Submits the job to the cluster's Flink and waits until it runs.")
    static final class Submit extends Part {
        @Mixin JobJarOptions job = new JobJarOptions();

        @Option(
                names = "--parallelism",
                defaultValue = "2",
                description = "The job's parallelism (default: ${DEFAULT-VALUE}).")
        int parallelism;

        @Override
        public Integer call() throws Exception {
            if (parallelism < 1) {
                throw new ParameterException(
                        spec.commandLine(), "--parallelism must be at least 1");
            }
            parent.cluster()
                    .submit(
                            job.jar(Installation.current()),
                            job.args(),
                            parallelism,
                            Duration.ofMinutes(2));
            return Cli.OK;
        }
    }

    @Command(name = "status", header = "Each process, the job's state and its last checkpoint.")
    static final class Status extends Part {
        @Override
        public Integer call() throws Exception {
            return parent.cluster().printStatus() ? Cli.OK : Cli.FAILURE;
        }
    }

    @Command(
            name = "down",
            header = "Stops every process of the cluster (SIGTERM, then SIGKILL after 15 s).")
    static final class Down extends Part {
        @Override
        public Integer call() throws Exception {
            parent.cluster().down();
            return Cli.OK;
        }
    }
}
