package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.cluster.ChaosRun;
import io.vmres.deploy.runtime.cluster.Installation;
import io.vmres.deploy.runtime.cluster.LocalCluster;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code vmres cluster chaos}: rack failures under injected faults, checked on the ledger. */
@Command(
        name = "chaos",
        header =
                "Fails racks while killing and pausing the cluster's processes; checks the ledger.",
        description = {
            "Starts a fresh local cluster (as `up`, then `submit`), then runs rounds: in each, whole"
                    + " power domains lose power (about --vms HA VMs) and, while vmres recovers"
                    + " them, faults are injected one after another: "
                    + "taskmanager-kill, broker-kill, broker-pause, connector-kill,"
                    + " jobmanager-kill (the job resubmitted from its latest retained checkpoint)."
                    + " The first round has no fault: the baseline the others' recovery times are"
                    + " told against. At the end it reads the simulated fleet's ledger and prints"
                    + " VMs lost, commands executed twice, healthy hosts fenced and VMs on two"
                    + " hosts at once, writes chaos.md and chaos.json to --out, and stops the"
                    + " cluster (its logs stay in --home). Exit 1 when any of the four is not 0.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres cluster chaos",
            "  vmres cluster chaos --faults 5 --rounds 1 --vms 100 --hosts 120 --clusters 2 --vms-per-host 3",
            "  vmres cluster chaos --session-timeout 10s"
        })
final class ClusterChaos extends ClusterCommand.Part {
    @Option(
            names = "--faults",
            defaultValue = "20",
            description =
                    "Faults in all, dealt evenly over the five kinds (default: ${DEFAULT-VALUE}).")
    int faults;

    @Option(
            names = "--rounds",
            defaultValue = "5",
            description =
                    "Rounds with faults, after the fault-free one; the faults, in kind order,"
                            + " are dealt over them (default: ${DEFAULT-VALUE}: one kind a round).")
    int rounds;

    @Option(
            names = "--vms",
            defaultValue = "1000",
            description = "HA VMs to fail each round, about (default: ${DEFAULT-VALUE}).")
    int vms;

    @Option(
            names = "--hosts",
            defaultValue = "400",
            description = "Simulated hosts (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--vms-per-host",
            defaultValue = "6",
            description = "VMs per host (default: ${DEFAULT-VALUE}).")
    int vmsPerHost;

    @Option(
            names = "--clusters",
            defaultValue = "4",
            description = "vmres clusters the hosts are split into (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seeds the fleet, the racks' order, which process fails and when"
                            + " (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--pause",
            defaultValue = "PT30S",
            converter = DurationConverter.class,
            description = "How long a paused broker stays stopped (default: 30 s).")
    Duration pause;

    @Option(
            names = "--round-timeout",
            defaultValue = "PT10M",
            converter = DurationConverter.class,
            description =
                    "How long a round may take to restart its VMs before they count as lost"
                            + " (default: 10 min).")
    Duration roundTimeout;

    @Option(
            names = "--session-timeout",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description =
                    "The connector's Kafka session: a killed connector's partitions move to its"
                            + " successor after this long (default: Kafka's, 45 s).")
    Duration sessionTimeout;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "The job's parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Mixin JobJarOptions job = new JobJarOptions();

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = ".vmres/chaos",
            description = "Where chaos.md and chaos.json go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (faults < 0 || rounds < 1 || vms < 1 || hosts < 4 || vmsPerHost < 1 || clusters < 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--faults must be at least 0, --rounds, --vms, --vms-per-host and --clusters"
                            + " at least 1, --hosts at least 4");
        }
        if (pause.isNegative() || roundTimeout.isNegative() || roundTimeout.isZero()) {
            throw new ParameterException(
                    spec.commandLine(), "--pause must not be negative, --round-timeout positive");
        }
        if (sessionTimeout != null && (sessionTimeout.isNegative() || sessionTimeout.isZero())) {
            throw new ParameterException(spec.commandLine(), "--session-timeout must be positive");
        }
        Installation inst = Installation.current();
        ChaosRun.Options options =
                new ChaosRun.Options(
                        faults,
                        rounds,
                        vms,
                        hosts,
                        vmsPerHost,
                        clusters,
                        seed,
                        pause,
                        roundTimeout,
                        parallelism,
                        job.jar(inst),
                        job.args(),
                        out.toAbsolutePath());
        LocalCluster cluster = parent.cluster();
        if (sessionTimeout != null) {
            cluster.connectorSessionTimeout(sessionTimeout);
        }
        ChaosRun.Result r = new ChaosRun(cluster, inst, options, out()).run();
        return r.verdict().clean() ? Cli.OK : Cli.FAILURE;
    }
}
