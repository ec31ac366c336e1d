package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.Lifecycle;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code vmres} command line: {@code bin/vmres} runs {@link #main}. Exit codes: 0 ok, 1
 * failure, 2 usage error; on Ctrl-C a shutdown hook closes whatever the command started.
 *
 * <pre>{@code
 * int code = new Cli(new WiredActions()).run("kafka", "--port", "0");
 * }</pre>
 */
public final class Cli {
    private static final Logger LOG = LoggerFactory.getLogger(Cli.class);

    /** Exit code of a command that worked. */
    public static final int OK = 0;

    /** Exit code of a command that failed. */
    public static final int FAILURE = 1;

    /** Exit code of a command line that could not be understood. */
    public static final int USAGE = 2;

    private final Lifecycle lifecycle = new Lifecycle();
    private final VmresCommand command;
    private final CommandLine commandLine;

    /** A command line whose subcommands do their work through the given actions. */
    public Cli(Actions actions) {
        command = new VmresCommand(actions, lifecycle);
        commandLine = new CommandLine(command);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler(this::failure);
        commandLine.setParameterExceptionHandler(Cli::usageError);
        Charset cs = Charset.defaultCharset();
        setOut(new PrintWriter(new java.io.OutputStreamWriter(System.out, cs), true));
        setErr(new PrintWriter(new java.io.OutputStreamWriter(System.err, cs), true));
    }

    /** Where user-facing output goes (stdout by default). */
    public Cli setOut(PrintWriter out) {
        commandLine.setOut(out);
        return this;
    }

    /** Where errors and usage help for a bad command line go (stderr by default). */
    public Cli setErr(PrintWriter err) {
        commandLine.setErr(err);
        return this;
    }

    /** The environment variables the commands read, in place of the process's own. */
    public Cli setEnv(java.util.Map<String, String> env) {
        command.env(env);
        return this;
    }

    /** What the running command started; closing it stops the command as Ctrl-C does. */
    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Runs one command line to its end and closes what it started; returns the exit code. */
    public int run(String... args) {
        try {
            if (args.length > 0
                    && !args[0].startsWith("-")
                    && !commandLine.getSubcommands().containsKey(args[0])) {
                // Before picocli sees a --help after it: an unknown command is a usage error
                // whatever follows, never the top-level help with exit 0.
                return usageError(
                        new UnmatchedArgumentException(
                                commandLine,
                                java.util.List.of(args[0]),
                                "Unknown command: '" + args[0] + "'"),
                        args);
            }
            return commandLine.execute(args);
        } finally {
            lifecycle.close();
        }
    }

    public static void main(String[] args) {
        Cli cli = new Cli(new WiredActions());
        // Ctrl-C: the JVM runs this hook, which stops what the command started; the command's
        // own thread wakes from awaitShutdown and returns while the JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(cli.lifecycle::close, "vmres-shutdown"));
        int code = cli.run(args);
        System.exit(code);
    }

    /** What was wrong, the synopsis and where to read more; the full help only on request. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.print(cmd.getHelp().fullSynopsis());
        if (!cmd.getSubcommands().isEmpty()) {
            err.print(cmd.getHelp().commandListHeading());
            err.print(cmd.getHelp().commandList());
        }
        err.printf("Try '%s --help' for more information.%n", cmd.getCommandSpec().qualifiedName());
        return USAGE;
    }

    private int failure(Exception e, CommandLine cmd, ParseResult parsed) throws Exception {
        if (e instanceof ParameterException) {
            // A check inside a command's call: the same as a parse error.
            throw e;
        }
        if (lifecycle.isShuttingDown()) {
            // Ctrl-C during a start: what failed is the start that was cut short, nothing to
            // explain.
            LOG.info("vmres {} stopped while starting", cmd.getCommandName(), e);
            cmd.getErr()
                    .println("vmres " + cmd.getCommandName() + ": stopped before it was ready.");
            return FAILURE;
        }
        if (e instanceof NotWiredException) {
            cmd.getErr().println(e.getMessage() + ".");
            return FAILURE;
        }
        LOG.error("vmres {} failed", cmd.getCommandName(), e);
        cmd.getErr().println("vmres " + cmd.getCommandName() + ": " + describe(e));
        cmd.getErr().println("(details in the log: .vmres/logs/vmres.log)");
        return FAILURE;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }
}
