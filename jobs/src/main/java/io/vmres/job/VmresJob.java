package io.vmres.job;

import io.vmres.engine.Settings;
import io.vmres.engine.recording.SettingsParser;
import io.vmres.job.live.LiveJob;
import io.vmres.job.live.LiveOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production job's entry point, as a cluster runs the shaded job jar: {@code --bootstrap
 * HOST:PORT [--set key=value ...] [--at-least-once] [--group-id ID] [--transactional-id-prefix
 * PREFIX] [--kafka-properties FILE] (--signing-keys FILE | --insecure-unsigned) [--flink key=value
 * ...]} (see {@link #options} and {@link #flinkSettings}). It only wires: sources, decisions and
 * sinks are in {@link LiveJob}.
 */
public final class VmresJob {
    /** How often the sources emit their watermark (docs/job.md, "What each hop costs"). */
    public static final Duration AUTO_WATERMARK_INTERVAL = Duration.ofMillis(50);

    /**
     * The checkpoint interval while the job reads the backlog its input had when it started (or
     * restored), unless its own interval is longer (docs/job.md, "What each hop costs").
     */
    public static final Duration CATCH_UP_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);

    /**
     * How long a network buffer may wait before it is sent although not full: a watermark waits in
     * it like a record, at each keyed hop of the graph (docs/job.md, "What each hop costs").
     */
    public static final Duration BUFFER_TIMEOUT = Duration.ofMillis(10);

    private VmresJob() {}

    /**
     * The configuration the job needs whatever runs it: checkpoints for exactly-once output, and
     * restarts with a growing delay (1 s doubling to 1 min, back to 1 s after 10 min without a
     * failure; the same as deploy/k8s/flink-job.yaml). No input record fails the job (a bad one is
     * a dead letter), so a restart means a broker, a TaskManager or a bug: backing off keeps a
     * lasting one from spinning.
     */
    public static Configuration jobConfiguration(Duration checkpointInterval) {
        return jobConfiguration(checkpointInterval, Map.of());
    }

    /**
     * As {@link #jobConfiguration(Duration)}, with Flink settings of the operator's own over it
     * (say {@code restart-strategy.type: failure-rate} and its keys).
     */
    public static Configuration jobConfiguration(
            Duration checkpointInterval, Map<String, String> flinkSettings) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        // while the source reads the backlog it had at the start (CatchUpSource), checkpoints
        // come seldom: the interval is for commands, and none waits on a job that catches up
        conf.set(
                CheckpointingOptions.CHECKPOINTING_INTERVAL_DURING_BACKLOG,
                checkpointInterval.compareTo(CATCH_UP_CHECKPOINT_INTERVAL) > 0
                        ? checkpointInterval
                        : CATCH_UP_CHECKPOINT_INTERVAL);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        // a heartbeat moves event time within 50 ms, not Flink's 200: declarations come sooner
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, AUTO_WATERMARK_INTERVAL);
        // a watermark crosses each keyed hop within 10 ms, not Flink's 100: it is what declares
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, BUFFER_TIMEOUT);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofSeconds(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                Duration.ofMinutes(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofMinutes(10));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        conf.addAll(Configuration.fromMap(flinkSettings));
        return conf;
    }

    public static void main(String[] args) throws Exception {
        LiveOptions options = options(args);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        jobConfiguration(Duration.ofSeconds(1), flinkSettings(args)));
        LiveJob.build(env, options);
        env.execute("vmres");
    }

    /**
     * The job's options from its program arguments: {@code --bootstrap HOST:PORT} (required),
     * {@code --set key=value} (repeatable), {@code --at-least-once}, {@code --group-id ID}, {@code
     * --transactional-id-prefix PREFIX}, {@code --kafka-properties FILE} (Java properties given to
     * every Kafka client of the job; read where the job's main method runs), {@code --signing-keys
     * FILE} (the keys file, read where the job's tasks run: docs/security.md) or else {@code
     * --insecure-unsigned}: without either the job refuses to start.
     */
    public static LiveOptions options(String[] args) throws IOException {
        String bootstrap = null;
        boolean exactlyOnce = true;
        String groupId = null;
        String transactionalIdPrefix = null;
        Map<String, String> kafkaProperties = Map.of();
        Map<String, String> overrides = new LinkedHashMap<>();
        String signingKeys = null;
        boolean insecureUnsigned = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = value(args, ++i);
                case "--at-least-once" -> exactlyOnce = false;
                case "--group-id" -> groupId = value(args, ++i);
                case "--transactional-id-prefix" -> transactionalIdPrefix = value(args, ++i);
                case "--kafka-properties" -> kafkaProperties = readProperties(value(args, ++i));
                case "--flink" -> keyValue(value(args, ++i), "--flink");
                case "--signing-keys" -> signingKeys = value(args, ++i);
                case "--insecure-unsigned" -> insecureUnsigned = true;
                case "--set" -> {
                    String kv = value(args, ++i);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set takes key=value, not " + kv);
                    }
                    overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (bootstrap == null) {
            throw new IllegalArgumentException(
                    "usage: VmresJob --bootstrap HOST:PORT [--set key=value ...]"
                            + " [--at-least-once] [--group-id ID] [--transactional-id-prefix P]"
                            + " [--kafka-properties FILE] (--signing-keys FILE | --insecure-unsigned)"
                            + " [--flink key=value ...]");
        }
        if (signingKeys == null && !insecureUnsigned) {
            throw new IllegalArgumentException(
                    "--signing-keys FILE is required (docs/security.md); --insecure-unsigned runs"
                            + " without, believing every result");
        }
        Settings settings = SettingsParser.applyOverrides(Settings.DEFAULTS, overrides);
        LiveOptions options =
                LiveOptions.defaults(bootstrap)
                        .withSettings(settings)
                        .withExactlyOnce(exactlyOnce)
                        .withKafkaProperties(kafkaProperties)
                        .withSigningKeys(signingKeys);
        if (groupId != null) {
            options = options.withGroupId(groupId);
        }
        if (transactionalIdPrefix != null) {
            options = options.withTransactionalIdPrefix(transactionalIdPrefix);
        }
        return options;
    }

    /**
     * The Flink settings given with {@code --flink key=value} (repeatable), over the job's own
     * configuration: the restart strategy, for one ({@code --flink
     * restart-strategy.exponential-delay.max-backoff=5min}).
     */
    public static Map<String, String> flinkSettings(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--flink")) {
                String[] kv = keyValue(args[++i], "--flink");
                m.put(kv[0], kv[1]);
            }
        }
        return m;
    }

    private static String[] keyValue(String kv, String option) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(option + " takes key=value, not " + kv);
        }
        return new String[] {kv.substring(0, eq), kv.substring(eq + 1)};
    }

    private static String value(String[] args, int i) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static Map<String, String> readProperties(String file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }
}
