package io.vmres.deploy.commands;

import io.vmres.engine.IncidentFigures;
import io.vmres.job.replay.ReplayJob;
import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.JobListener;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code vmres replay}: a recording through the job on a local MiniCluster, its decisions into an
 * output folder, and a short account of what happened.
 */
public final class Replay {
    private Replay() {}

    /**
     * Settings, lowest precedence first: the recording's {@code meta.config}, the config file
     * ({@code key=value} lines), then {@code --set}.
     */
    public static Map<String, String> overrides(Optional<Path> config, Map<String, String> set)
            throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        if (config.isPresent()) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(config.get(), StandardCharsets.UTF_8)) {
                p.load(r);
            }
            for (String k : p.stringPropertyNames()) {
                all.put(k, p.getProperty(k).trim());
            }
        }
        all.putAll(set);
        return SettingValues.normalize(all);
    }

    /** Exit code of a replay in which no line of the recording was a valid event. */
    public static final int NO_VALID_EVENT = 1;

    /**
     * Replays and prints what happened; shows progress on stderr while it runs when this process
     * has a terminal. Returns the exit code: 0, or {@link #NO_VALID_EVENT}.
     */
    public static int run(
            Path recording,
            Path out,
            Map<String, String> overrides,
            int parallelism,
            PrintStream console,
            PrintStream errors)
            throws Exception {
        Optional<PrintStream> progress = onTerminal() ? Optional.of(System.err) : Optional.empty();
        long t0 = System.nanoTime();
        ReplayJob.Result r = replay(recording, out, overrides, parallelism, progress);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int code = report(r, out, console, errors);
        console.printf(
                Locale.ROOT,
                "replayed in %.1f s, %,.0f events/s (JVM start excluded)%n",
                seconds,
                r.events() / Math.max(seconds, 1e-3));
        return code;
    }

    /**
     * Prints what a replay counted and its incidents, one line each; warns on {@code errors} when
     * no line was a valid event (not a recording, most likely), and then returns {@link
     * #NO_VALID_EVENT}, else 0.
     */
    public static int report(
            ReplayJob.Result r, Path out, PrintStream console, PrintStream errors) {
        console.printf(
                Locale.ROOT,
                "%s: %s, %s (%,d late), %s, %s -> %s%n",
                r.recording(),
                Words.count(r.events(), "event"),
                Words.count(r.deadLetters(), "dead letter"),
                r.lateEvents(),
                Words.count(r.commands(), "command"),
                Words.count(r.incidents().size(), "incident"),
                out);
        for (IncidentFigures f : r.incidents()) {
            console.printf(
                    Locale.ROOT,
                    "  %-16s %-18s %-10s %-24s detection %s, recovery %s, VMs recovered %d, unplaced %d, failed %d%n",
                    f.incidentId(),
                    f.kind(),
                    f.state(),
                    abbreviate(String.join(",", f.hosts()), 24),
                    seconds(f.failureStartTs(), f.openedTs()),
                    seconds(f.failureStartTs(), f.lastRecoveryTs()),
                    f.vmsRecovered(),
                    f.vmsUnplaced(),
                    f.vmsFailed());
        }
        if (r.events() == 0) {
            errors.printf(
                    Locale.ROOT,
                    "warning: %s holds no valid event%s: is it a recording? (docs/recording-format.md;"
                            + " what was wrong with each line: %s)%n",
                    r.recording(),
                    r.deadLetters() == 0
                            ? ""
                            : ", only " + Words.count(r.deadLetters(), "dead letter"),
                    out.resolve("dead-letter.jsonl"));
            errors.flush();
            return NO_VALID_EVENT;
        }
        return 0;
    }

    /**
     * Replays {@code recording} on a local MiniCluster into {@code out}; with {@code progress},
     * shows the lines read and the rate there, in place, until the job ends.
     */
    public static ReplayJob.Result replay(
            Path recording,
            Path out,
            Map<String, String> overrides,
            int parallelism,
            Optional<PrintStream> progress)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        // The REST API caches metrics this long; the progress display asks twice a second.
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(400));
        conf.set(DeploymentOptions.TARGET, LocalExecutor.NAME);
        conf.set(DeploymentOptions.ATTACHED, true);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        // As createLocalEnvironment's, but with a hold on the MiniCluster: the display asks its
        // REST
        // API for the source's metrics.
        CompletableFuture<MiniCluster> cluster = new CompletableFuture<>();
        StreamExecutionEnvironment env =
                new StreamExecutionEnvironment(
                        new LocalOnly(cluster), conf, null); // null: its own loader
        CompletableFuture<JobID> job = new CompletableFuture<>();
        env.registerJobListener(
                new JobListener() {
                    @Override
                    public void onJobSubmitted(JobClient client, Throwable failure) {
                        if (client != null) {
                            job.complete(client.getJobID());
                        }
                    }

                    @Override
                    public void onJobExecuted(JobExecutionResult result, Throwable failure) {}
                });
        if (progress.isEmpty()) {
            return ReplayJob.run(env, recording, out, overrides);
        }
        ReplayProgress display =
                ReplayProgress.start(
                        progress.get(), recording.getFileName().toString(), cluster, job);
        try {
            return ReplayJob.run(env, recording, out, overrides);
        } finally {
            display.close();
        }
    }

    /** The local executor, the only one a replay uses, with its MiniCluster handed out. */
    private static final class LocalOnly implements PipelineExecutorServiceLoader {
        private final CompletableFuture<MiniCluster> cluster;

        LocalOnly(CompletableFuture<MiniCluster> cluster) {
            this.cluster = cluster;
        }

        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
            return new PipelineExecutorFactory() {
                @Override
                public String getName() {
                    return LocalExecutor.NAME;
                }

                @Override
                public boolean isCompatibleWith(Configuration c) {
                    return true;
                }

                @Override
                public PipelineExecutor getExecutor(Configuration c) {
                    return LocalExecutor.createWithFactory(
                            c,
                            miniClusterConf -> {
                                MiniCluster mc = new MiniCluster(miniClusterConf);
                                cluster.complete(mc);
                                return mc;
                            });
                }
            };
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(LocalExecutor.NAME);
        }
    }

    /**
     * Whether this process talks to a terminal: on Java 17 to 21 {@code System.console()} is null
     * otherwise (output piped or redirected); from Java 22 on it may be a console that is no
     * terminal, which {@code Console.isTerminal()} tells.
     */
    private static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // before Java 22, a console is a terminal
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot ask the console whether it is a terminal", e);
        }
    }

    private static String seconds(Long from, Long to) {
        if (from == null || to == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f s", (to - from) / 1000.0);
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
