package io.vmres.deploy.cli;

import io.vmres.deploy.bench.StateBench;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench state}: the live job's checkpoint and heap per host and VM. */
@Command(
        name = "state",
        header = "The live job's checkpoint bytes, duration and heap per host and per VM.",
        description = {
            "For 1,000 hosts of 10 VMs and 10,000 hosts of 20 VMs (or --hosts), each in one cluster"
                    + " and in ten: the real job reads the fleet's inventory and a few rounds of"
                    + " telemetry from a real broker, then its checkpoints are read from Flink's REST"
                    + " API. Figures: bytesPerVm (target at most 2,048) and checkpointS10kHosts"
                    + " (target at most 1 s).",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {"  vmres bench state", "  vmres bench state --hosts 200 --vms-per-host 5"})
final class BenchStateCommand extends BenchPart {
    @Option(
            names = "--hosts",
            paramLabel = "N",
            description =
                    "One fleet of N hosts (in one cluster and in ten) instead of the default sizes.")
    Integer hosts;

    @Option(
            names = "--vms-per-host",
            paramLabel = "N",
            defaultValue = "10",
            description = "VMs per host with --hosts (default: ${DEFAULT-VALUE}).")
    int vmsPerHost;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "5",
            description = "Rounds of telemetry after the inventory (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of the job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        StateBench.Options d = StateBench.Options.defaults();
        List<StateBench.Size> sizes = d.sizes();
        if (hosts != null) {
            int h = atLeast(hosts, 20, "--hosts");
            int v = atLeast(vmsPerHost, 1, "--vms-per-host");
            sizes = new ArrayList<>();
            sizes.add(new StateBench.Size(h, v, 1));
            sizes.add(new StateBench.Size(h, v, 10));
        }
        StateBench.Options o =
                new StateBench.Options(
                        sizes,
                        atLeast(rounds, 1, "--rounds"),
                        d.checkpoints(),
                        atLeast(parallelism, 1, "--parallelism"));
        return finish(StateBench.run(o, command(), console()));
    }
}
