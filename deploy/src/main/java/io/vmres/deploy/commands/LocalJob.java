package io.vmres.deploy.commands;

import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.job.VmresJob;
import io.vmres.job.live.LiveJob;
import io.vmres.job.live.LiveOptions;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vmres job}: the production job ({@link LiveJob}, exactly-once, a checkpoint every second
 * as {@link VmresJob} runs it) on a local Flink MiniCluster against any Kafka, until Ctrl-C.
 */
public final class LocalJob {
    private static final Logger LOG = LoggerFactory.getLogger(LocalJob.class);

    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    private static final Duration CANCEL_WAIT = Duration.ofSeconds(30);

    private LocalJob() {}

    /**
     * Checks the broker, submits the job and prints its status every {@code statusEvery} until the
     * lifecycle closes (Ctrl-C), which cancels the job and closes the MiniCluster.
     *
     * @return the process exit code
     * @throws IllegalStateException when the broker cannot be reached or lacks vmres topics, or
     *     when the job ends on its own
     */
    public static int run(
            LiveOptions options,
            int parallelism,
            Duration statusEvery,
            Lifecycle lifecycle,
            PrintWriter out)
            throws Exception {
        probe(options);
        Configuration conf = VmresJob.jobConfiguration(CHECKPOINT_INTERVAL);
        // In files, not in the JobManager's memory, which holds at most 5 MB of one operator's
        // state: less than one engine of 10,000 hosts. Removed when the job stops (registered
        // before the MiniCluster, so after it closes): a job started again keeps no state.
        Path checkpoints = Files.createTempDirectory("vmres-job-checkpoints-");
        lifecycle.register(() -> EmbeddedKafka.deleteRecursively(checkpoints));
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.PORT, 0);
        MiniCluster cluster = lifecycle.start(() -> new Told(start(conf, parallelism), out)).mc();

        StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        LiveJob.build(env, options);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName("vmres");
        JobID id = cluster.submitJob(graph.getJobGraph()).get().getJobID();
        // registered after the MiniCluster, so closed before it: the job is cancelled first
        lifecycle.register(() -> cancel(cluster, id, out));
        LOG.info("vmres job {} submitted against {}", id, options.bootstrapServers());
        out.printf(
                Locale.ROOT,
                "vmres job %s on a local Flink MiniCluster (parallelism %d, exactly-once, a"
                        + " checkpoint every %d s) against the Kafka at %s.%n",
                id,
                parallelism,
                CHECKPOINT_INTERVAL.toSeconds(),
                options.bootstrapServers());
        out.println("Flink web UI: " + cluster.getRestAddress().get());
        out.println("Press Ctrl-C to stop.");

        long started = System.nanoTime();
        while (!lifecycle.awaitShutdown(statusEvery)) {
            String line;
            try {
                line = status(cluster, id);
            } catch (ExecutionException e) {
                if (lifecycle.isShuttingDown()) {
                    break; // the MiniCluster is going away under the question
                }
                throw e;
            }
            long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            out.printf(Locale.ROOT, "[%02d:%02d] %s%n", s / 60, s % 60, line);
        }
        return 0;
    }

    /** One line: the job's state and its checkpoints; throws when the job has ended. */
    private static String status(MiniCluster cluster, JobID id) throws Exception {
        JobStatus state = cluster.getJobStatus(id).get();
        if (state.isGloballyTerminalState()) {
            throw new IllegalStateException(
                    "the job " + id + " ended: " + state + " (see the log for why)");
        }
        AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
        CheckpointStatsSnapshot stats = graph.getCheckpointStatsSnapshot();
        if (stats == null) {
            return String.format(Locale.ROOT, "job %s %s; no checkpoint yet", id, state);
        }
        CompletedCheckpointStats last = stats.getHistory().getLatestCompletedCheckpoint();
        String lastText =
                last == null
                        ? "none completed yet"
                        : String.format(
                                Locale.ROOT,
                                "last #%d %.1f s ago",
                                last.getCheckpointId(),
                                (System.currentTimeMillis() - last.getLatestAckTimestamp())
                                        / 1000.0);
        return String.format(
                Locale.ROOT,
                "job %s %s; checkpoints: %d completed, %d failed, %s",
                id,
                state,
                stats.getCounts().getNumberOfCompletedCheckpoints(),
                stats.getCounts().getNumberOfFailedCheckpoints(),
                lastText);
    }

    private static MiniCluster start(Configuration conf, int parallelism) throws Exception {
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism)
                                .build());
        try {
            cluster.start();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static void cancel(MiniCluster cluster, JobID id, PrintWriter out) throws Exception {
        try {
            cluster.cancelJob(id).get(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            cluster.requestJobResult(id).get(CANCEL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            out.println("vmres job " + id + " cancelled.");
        } catch (ExecutionException e) {
            // a job that already ended has nothing to cancel
            LOG.info("cancel of {}: {}", id, e.toString());
        }
    }

    /** The MiniCluster, saying so once it has closed. */
    private record Told(MiniCluster mc, PrintWriter out) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                mc.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while closing the Flink MiniCluster", e);
            } catch (Exception e) {
                throw new IOException("could not close the Flink MiniCluster", e);
            }
            out.println("Flink MiniCluster closed.");
        }
    }

    /**
     * Asks the broker, briefly and with the job's own client properties, whether it is there and
     * holds every vmres topic: a Kafka source would otherwise retry without end, saying nothing.
     */
    static void probe(LiveOptions options) throws InterruptedException {
        String bootstrap = options.bootstrapServers();
        Set<String> topics =
                KafkaProbe.topics(
                        new KafkaEndpoint(bootstrap, options.kafkaProperties()), "vmres-job-probe");
        List<String> missing = Topics.ALL.stream().filter(t -> !topics.contains(t)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "the Kafka at "
                            + bootstrap
                            + " lacks "
                            + String.join(", ", missing)
                            + ": `vmres topics --bootstrap "
                            + bootstrap
                            + "` creates them");
        }
    }
}
