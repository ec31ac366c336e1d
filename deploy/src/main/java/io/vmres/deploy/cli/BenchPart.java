package io.vmres.deploy.cli;

import io.vmres.deploy.bench.BenchResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every part of {@code vmres bench} shares: its folder, its JSON copy, its command line. */
abstract class BenchPart implements Callable<Integer> {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    private boolean help;

    @ParentCommand BenchCommand parent;
    @Spec CommandSpec spec;

    /** The results folder, created. */
    Path dir() throws IOException {
        return Files.createDirectories(parent.out);
    }

    Optional<Path> json() {
        return Optional.ofNullable(parent.json).map(j -> parent.writable(j, "--json"));
    }

    PrintStream console() {
        return System.out;
    }

    /** The command line as typed, for the report. */
    String command() {
        return "vmres " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    int atLeast(int value, int min, String option) {
        if (value < min) {
            throw usage(option + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    /** Writes the part's files and says where; 0 when every target is met, else 1. */
    int finish(BenchResult result) throws IOException {
        result.write(dir(), json());
        console().println(result.name() + ": " + dir().resolve(result.name() + ".md"));
        return Cli.OK; // a missed target is a finding, told in the report
    }
}
