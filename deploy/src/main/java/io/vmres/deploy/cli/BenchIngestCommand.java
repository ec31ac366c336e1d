package io.vmres.deploy.cli;

import io.vmres.deploy.bench.IngestBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench ingest}: the live job's rate against the passthrough's. */
@Command(
        name = "ingest",
        header = "The live job's events/s against a passthrough job's, on the same topics.",
        description = {
            "Fills a real broker's input topics with the inventory and --rounds one-second rounds of"
                    + " telemetry of --hosts simulated hosts, then runs, alternately and --repeats"
                    + " times each, the full live job and a passthrough job (Kafka in, Avro decode,"
                    + " keyBy, Kafka out) over them from the start. Figures: events/s of each and"
                    + " ratioToPassthrough (target at least 0.70).",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres bench ingest",
            "  vmres bench ingest --hosts 1000 --rounds 10 --repeats 1"
        })
final class BenchIngestCommand extends BenchPart {
    @Option(
            names = "--hosts",
            paramLabel = "N",
            defaultValue = "10000",
            description = "Hosts (default: ${DEFAULT-VALUE}).")
    int hosts;

    @Option(
            names = "--vms-per-host",
            paramLabel = "N",
            defaultValue = "10",
            description = "VMs per host (default: ${DEFAULT-VALUE}).")
    int vmsPerHost;

    @Option(
            names = "--rounds",
            paramLabel = "N",
            defaultValue = "60",
            description = "One-second rounds of telemetry written (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--repeats",
            paramLabel = "N",
            defaultValue = "2",
            description = "Runs of each job, alternating (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            defaultValue = "2",
            description = "Parallelism of both jobs (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Override
    public Integer call() throws Exception {
        IngestBench.Options o =
                new IngestBench.Options(
                        atLeast(hosts, 4, "--hosts"),
                        atLeast(vmsPerHost, 1, "--vms-per-host"),
                        atLeast(rounds, 1, "--rounds"),
                        atLeast(repeats, 1, "--repeats"),
                        atLeast(parallelism, 1, "--parallelism"));
        return finish(IngestBench.run(o, command(), console()));
    }
}
