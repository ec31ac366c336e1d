package io.vmres.deploy.cli;

import io.vmres.deploy.bench.PlanBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench plan}: the JMH benchmarks of failover planning against their targets. */
@Command(
        name = "plan",
        header = "The planning's JMH benchmarks against their targets.",
        description = {
            "Runs the JMH planning benchmarks of bench/ (PlanningBenchmark) from"
                    + " bench/target/benchmarks.jar (built first when missing), short settings unless"
                    + " --full; writes plan.json, plan.md and plan-times.svg into --out.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {"  vmres bench plan", "  vmres bench plan --full --json plan.json"})
final class BenchPlanCommand extends BenchPart {
    @Option(
            names = "--full",
            description =
                    "The JMH settings of docs/benchmarks.md (2 forks, 5 iterations of 5 s; about 10"
                            + " min) instead of short ones (about 2 min).")
    boolean full;

    @Override
    public Integer call() throws Exception {
        PlanBench.run(PlanBench.repositoryRoot(), full, dir(), command(), console());
        if (json().isPresent()) {
            java.nio.file.Files.copy(
                    dir().resolve("plan.json"),
                    json().get(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return Cli.OK; // a missed target is a finding, told in the report, as in every part
    }
}
