package io.vmres.deploy.cli;

import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.deploy.runtime.cluster.Installation;
import io.vmres.deploy.runtime.cluster.ScaleOutRun;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code vmres cluster scaleout}: clusters recover together as fast as alone. */
@Command(
        name = "scaleout",
        header = "Fails racks in several clusters alone, then at once; compares recovery times.",
        description = {
            "Starts a fresh local cluster (as `up`, then `submit` at --parallelism) with a fleet of"
                    + " --clusters vmres clusters of --hosts hosts each. When the job is steady, it"
                    + " runs --rounds rounds of two blocks in alternating order (alone, together;"
                    + " then together, alone; ...). Alone: a rack of cluster c1 loses power and its"
                    + " recovery time is measured (the job's recoveryS on the incident's line: the"
                    + " failure start to the last successful restart), the rack is repaired; the"
                    + " same for c2, ... up to --racks clusters. Together: the same racks in all of"
                    + " those clusters lose power at once. Every phase fails the very same racks"
                    + " with the very same VMs: after each phase the racks are repaired, and once"
                    + " their hosts rejoined the fleet moves their VMs back to them (failback),"
                    + " then the job settles (--settle). An unmeasured warm-up phase (--warm-up)"
                    + " comes first. It prints every"
                    + " phase, each cluster's median recovery time alone and together, their"
                    + " ratio and whether it is within --tolerance, checks on the fleet's ledger"
                    + " that every failed HA VM was restarted once, writes scaleout.md and"
                    + " scaleout.json to --out and stops the cluster (its logs stay in --home)."
                    + " Exit 1 when a cluster is not within the tolerance or the ledger is not"
                    + " clean.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres cluster scaleout",
            "  vmres cluster scaleout --clusters 3 --hosts 100 --vms-per-host 3"
        })
final class ClusterScaleOut extends ClusterCommand.Part {
    /** The connector's commands in flight at once, which every cluster's commands share. */
    static final int CONNECTOR_IN_FLIGHT = ConnectorOptions.defaults().maxInFlight();

    @Option(
            names = "--clusters",
            defaultValue = "10",
            description = "vmres clusters in the fleet (default: ${DEFAULT-VALUE}).")
    int clusters;

    @Option(
            names = "--hosts",
            defaultValue = "1000",
            description = "Hosts per cluster, in racks of 20 (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--vms-per-host",
            defaultValue = "10",
            description = "VMs per host (default: ${DEFAULT-VALUE}).")
    int vmsPerHost;

    @Option(
            names = "--racks",
            defaultValue = "3",
            description =
                    "Clusters that lose a rack, alone and then at once (default:"
                            + " ${DEFAULT-VALUE}).")
    int racks;

    @Option(
            names = "--rounds",
            defaultValue = "2",
            description =
                    "Rounds of an alone and a together block, in alternating order (default:"
                            + " ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--warm-up",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "First a rack in each of those clusters at once, not measured: the job's"
                            + " first recoveries after its start are slower (default: on;"
                            + " --no-warm-up skips it).")
    boolean warmUp;

    @Option(
            names = "--parallelism",
            defaultValue = "4",
            description = "The job's parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seeds the fleet and its hypervisor (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--tolerance",
            defaultValue = "0.10",
            description =
                    "How far together may be from alone, as a fraction of alone (default:"
                            + " ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(
            names = "--max-in-flight-per-cluster",
            paramLabel = "N",
            description =
                    "The job's maxInFlightPerCluster (default: the connector's 256"
                            + " commands in flight shared by --racks clusters, so that the"
                            + " clusters failing at once never queue behind each other there).")
    Integer maxInFlightPerCluster;

    @Option(
            names = "--latency-median",
            paramLabel = "DURATION",
            defaultValue = "PT4S",
            converter = DurationConverter.class,
            description = "Every simulated hypervisor call's median (default: 4 s).")
    Duration latencyMedian;

    @Option(
            names = "--latency-sigma",
            defaultValue = "0.05",
            description =
                    "Their spread, log-normal (default: ${DEFAULT-VALUE}: a recovery time is"
                            + " vmres's, not the luck of the slowest draw).")
    double latencySigma;

    @Option(
            names = "--phase-timeout",
            defaultValue = "PT10M",
            converter = DurationConverter.class,
            description = "How long a phase may take to recover (default: 10 min).")
    Duration phaseTimeout;

    @Option(
            names = "--settle",
            defaultValue = "PT10S",
            converter = DurationConverter.class,
            description =
                    "After each phase's failback, how long the job has to take the moves in"
                            + " before the next phase (default: 10 s).")
    Duration settle;

    @Mixin JobJarOptions job = new JobJarOptions();

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = ".vmres/scaleout",
            description = "Where scaleout.md and scaleout.json go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (clusters < 1 || racks < 1 || racks > clusters || rounds < 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--clusters and --rounds must be at least 1 and --racks from 1 to --clusters");
        }
        if (hosts < 40 || vmsPerHost < 1 || parallelism < 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--hosts must be at least 40 (a rack that fails, and one more to take its"
                            + " VMs); --vms-per-host and --parallelism at least 1");
        }
        if (!(tolerance > 0)
                || !(latencySigma > 0)
                || phaseTimeout.isNegative()
                || settle.isNegative()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--tolerance and --latency-sigma must be above 0, --phase-timeout positive,"
                            + " --settle not negative");
        }
        int inFlight =
                maxInFlightPerCluster != null
                        ? maxInFlightPerCluster
                        : Math.max(1, CONNECTOR_IN_FLIGHT / racks);
        Installation inst = Installation.current();
        ScaleOutRun.Options options =
                new ScaleOutRun.Options(
                        clusters,
                        hosts,
                        vmsPerHost,
                        racks,
                        rounds,
                        warmUp,
                        parallelism,
                        seed,
                        tolerance,
                        inFlight,
                        latencyMedian,
                        latencySigma,
                        phaseTimeout,
                        settle,
                        job.jar(inst),
                        job.args(),
                        out.toAbsolutePath());
        ScaleOutRun.Result r = new ScaleOutRun(parent.cluster(), inst, options, out()).run();
        return r.passed() ? Cli.OK : Cli.FAILURE;
    }
}
