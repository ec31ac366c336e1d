package io.vmres.job;

import io.vmres.engine.Settings;
import io.vmres.engine.recording.SettingsParser;
import io.vmres.job.live.LiveJob;
import io.vmres.job.live.LiveOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production job's entry point, as a cluster runs the shaded job jar: {@code --bootstrap
 * HOST:PORT [--set key=value ...] [--at-least-once]}. It only wires: sources, decisions and sinks
 * are in {@link LiveJob}.
 */
public final class VmresJob {
    private VmresJob() {}

    /** The configuration the job needs whatever runs it: checkpoints for exactly-once output. */
    public static Configuration jobConfiguration(Duration checkpointInterval) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, checkpointInterval);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, Integer.MAX_VALUE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        return conf;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = null;
        boolean exactlyOnce = true;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--at-least-once" -> exactlyOnce = false;
                case "--set" -> {
                    String kv = args[++i];
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
                    "usage: VmresJob --bootstrap HOST:PORT [--set key=value ...]");
        }
        Settings settings = SettingsParser.applyOverrides(Settings.DEFAULTS, overrides);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        jobConfiguration(Duration.ofSeconds(1)));
        LiveJob.build(
                env,
                LiveOptions.defaults(bootstrap)
                        .withSettings(settings)
                        .withExactlyOnce(exactlyOnce));
        env.execute("vmres");
    }
}
