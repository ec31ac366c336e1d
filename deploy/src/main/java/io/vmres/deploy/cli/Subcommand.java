package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.engine.Times;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the actions, the lifecycle, output and option checks. */
abstract class Subcommand implements Callable<Integer> {
    // Not picocli's standard mixin: that adds --version, which only the top-level command has.
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    private boolean help;

    @ParentCommand private VmresCommand parent;
    @Spec private CommandSpec spec;

    protected Actions actions() {
        return parent.actions();
    }

    protected Lifecycle lifecycle() {
        return parent.lifecycle();
    }

    /** An environment variable, or null when it is not set. */
    protected String env(String name) {
        return parent.env().get(name);
    }

    /** Where user-facing output goes (stdout when run from the launcher). */
    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Where warnings and errors go (stderr when run from the launcher). */
    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A usage error: picocli prints it with the command's usage and exits with 2. */
    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * A moment of a recording as {@code --at} tells it: {@code timestamp} (epoch ms) or {@code
     * afterFirstMs} (ms after its first event), or neither for its last event.
     */
    protected record At(Long timestamp, Long afterFirstMs) {}

    /** {@code --at}: a timestamp, else a duration after the first event; null: neither. */
    protected At at(String at) {
        if (at == null) {
            return new At(null, null);
        }
        try {
            return new At(Times.parse(at), null);
        } catch (IllegalArgumentException notATimestamp) {
            try {
                return new At(null, DurationConverter.parse(at).toMillis());
            } catch (RuntimeException e) {
                throw usage("--at " + at + ": neither a timestamp nor a duration");
            }
        }
    }

    protected int atLeast(int value, int min, String option) {
        if (value < min) {
            throw usage(option + " must be at least " + min + ", was " + value);
        }
        return value;
    }

    protected Duration positive(Duration value, String option) {
        if (value != null && (value.isZero() || value.isNegative())) {
            throw usage(option + " must be longer than zero");
        }
        return value;
    }

    protected Path readableFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw usage(what + " " + file + " is not a file");
        }
        if (!Files.isReadable(file)) {
            throw usage(what + " " + file + " cannot be read");
        }
        return file;
    }

    protected Path writableTarget(Path path, String what) {
        if (Files.isDirectory(path)) {
            throw usage(what + " " + path + " is a folder, not a file");
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
            throw usage(what + " " + path + ": " + parent + " is not a folder");
        }
        return path;
    }
}
