package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.cluster.Installation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --jar} and {@code --job-arg} options of the cluster commands that submit the job. */
final class JobJarOptions {
    @Option(
            names = "--jar",
            paramLabel = "JAR",
            description =
                    "The job jar (default: jobs/target/vmres-jobs-*-job.jar, built if missing).")
    private Path jar;

    @Option(
            names = "--job-arg",
            paramLabel = "ARG",
            description =
                    "One more program argument of the job (repeatable), e.g. --job-arg=--set --job-arg=heartbeatTimeout=PT5S.")
    private List<String> jobArgs = new ArrayList<>();

    /** The job's program arguments beyond its own, in order. */
    List<String> args() {
        return List.copyOf(jobArgs);
    }

    /** {@code --jar}, or the build's job jar, built first if missing. */
    Path jar(Installation inst) throws Exception {
        return jar(inst, jar);
    }

    /** {@code given}, or the build's job jar, built first if missing. */
    static Path jar(Installation inst, Path given) throws Exception {
        Path j = given;
        if (j == null) {
            j = inst.jobJar().orElse(null);
            if (j == null) {
                PrintStream out = System.out;
                out.println("building the job jar (mvn -q -B -DskipTests package -pl jobs -am)...");
                Process p =
                        new ProcessBuilder(
                                        "mvn",
                                        "-q",
                                        "-B",
                                        "-DskipTests",
                                        "package",
                                        "-pl",
                                        "jobs",
                                        "-am")
                                .directory(inst.root().toFile())
                                .inheritIO()
                                .start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("building the job jar failed");
                }
                j =
                        inst.jobJar()
                                .orElseThrow(
                                        () ->
                                                new IllegalStateException(
                                                        "no job jar after the build"));
            }
        }
        return j;
    }
}
