package io.vmres.deploy.cli;

import io.vmres.deploy.bench.live.LiveBench;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.deploy.runtime.cluster.Installation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench live}: how close live recoveries come to their floor. */
@Command(
        name = "live",
        header =
                "Crashes hosts and a rack through Kafka and the job; measures recovery vs its floor.",
        description = {
            "Starts the embedded runtime (a Kafka broker, the job on a Flink MiniCluster, a simulated"
                    + " fleet of --racks racks of --rack-hosts hosts in one cluster, and its connector),"
                    + " crashes --singles hosts one after the other, then the last rack at once. Each"
                    + " recovery is measured on the fleet's ledger (last heartbeat to the last VM"
                    + " running) beside its floor: detection (heartbeatTimeout + outOfOrderness) +"
                    + " fence + the critical path of the disk maps and boots the fleet drew, within the"
                    + " in-flight limits. Then the same crashes with the old behaviour (results held"
                    + " until the watermark passes them, checkpoints every second) as the baseline,"
                    + " unless --no-baseline.",
            "",
            "Writes DIR/live.json, DIR/live.md and DIR/live-recovery.svg. About 12 minutes with the"
                    + " defaults on 2 cores; --quick: 3 singles and a rack of 10 hosts, no baseline.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench live",
            "  vmres bench live --quick --json live.json",
            "  vmres bench live --on-cluster --singles 3 --no-baseline"
        })
final class BenchLiveCommand extends BenchPart {
    @Option(
            names = "--singles",
            paramLabel = "N",
            defaultValue = "10",
            description = "Single-host crashes (default: ${DEFAULT-VALUE}).")
    private int singles;

    @Option(
            names = "--rack-hosts",
            paramLabel = "N",
            defaultValue = "40",
            description =
                    "Hosts per rack; the last rack fails at once, 0: no rack (default:"
                            + " ${DEFAULT-VALUE}).")
    private int rackHosts;

    @Option(
            names = "--racks",
            paramLabel = "N",
            defaultValue = "4",
            description = "Racks in the fleet (default: ${DEFAULT-VALUE}).")
    private int racks;

    @Option(
            names = "--vms-per-host",
            paramLabel = "N",
            defaultValue = "10",
            description = "VMs a host (default: ${DEFAULT-VALUE}).")
    private int vmsPerHost;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "The job's checkpoint interval (default: the embedded runtime's, 100ms).")
    private Duration checkpointInterval;

    @Option(
            names = "--heartbeat-interval",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description = "The simulated hosts' heartbeat interval (default: ${DEFAULT-VALUE}).")
    private Duration heartbeatInterval;

    @Option(names = "--no-baseline", description = "Skips the run with the old behaviour.")
    private boolean noBaseline;

    @Option(
            names = "--fleet-cadence",
            description =
                    "The simulated fleet's own telemetry cadence (power every 5th heartbeat round,"
                            + " health samples every 30th); by default power with every round and no"
                            + " health samples, so that no quiet partition holds event time back.")
    private boolean fleetCadence;

    @Option(
            names = "--beat-phases",
            paramLabel = "N",
            defaultValue = "20",
            description =
                    "The phases the simulated hosts beat at, spread over the heartbeat interval; 1:"
                            + " all in one burst (default: ${DEFAULT-VALUE}).")
    private int beatPhases;

    @Option(
            names = "--quick",
            description = "3 singles and a rack of 10 hosts in 3 racks, no baseline.")
    private boolean quick;

    @Option(
            names = "--on-cluster",
            description =
                    "The brokers and the job on the multi-process cluster, as `vmres cluster up`"
                            + " starts them (three Kafka brokers, a Flink JobManager and two"
                            + " TaskManagers, each a process of its own, in a temporary folder),"
                            + " the job submitted to it with --jar; the fleet and its connector"
                            + " stay in this process.")
    private boolean onCluster;

    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description =
                    "The job jar for --on-cluster (default: jobs/target/vmres-jobs-*-job.jar,"
                            + " built if missing).")
    private Path jar;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "1",
            description = "Seed of the fleet and its latencies (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Override
    public Integer call() throws Exception {
        if (singles < 0 || rackHosts < 0 || racks < 2 || vmsPerHost < 1 || beatPhases < 1) {
            throw usage(
                    "need --singles >= 0, --rack-hosts >= 0, --racks >= 2, --vms-per-host >= 1,"
                            + " --beat-phases >= 1");
        }
        Path clusterJar = onCluster ? JobJarOptions.jar(Installation.current(), jar) : null;
        LiveBench.Options options =
                quick
                        ? new LiveBench.Options(
                                3,
                                10,
                                3,
                                vmsPerHost,
                                interval(),
                                heartbeatInterval,
                                false,
                                !fleetCadence,
                                seed,
                                beatPhases,
                                clusterJar)
                        : new LiveBench.Options(
                                singles,
                                rackHosts,
                                racks,
                                vmsPerHost,
                                interval(),
                                heartbeatInterval,
                                !noBaseline,
                                !fleetCadence,
                                seed,
                                beatPhases,
                                clusterJar);
        Path out = dir();
        LiveBench.run(options, out, command(), console());
        if (json().isPresent()) {
            Files.copy(out.resolve("live.json"), json().get(), StandardCopyOption.REPLACE_EXISTING);
        }
        console().println("live: " + out.resolve("live.md"));
        return Cli.OK;
    }

    private Duration interval() {
        return checkpointInterval == null
                ? LiveRuntime.DEFAULT_CHECKPOINT_INTERVAL
                : checkpointInterval;
    }
}
