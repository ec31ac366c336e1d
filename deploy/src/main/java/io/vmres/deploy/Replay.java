package io.vmres.deploy;

import io.vmres.engine.IncidentFigures;
import io.vmres.job.replay.ReplayJob;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code vmres replay}: a recording through the job on a local MiniCluster, its decisions into
 * an output folder, and a short account of what happened.
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
    return all;
  }

  public static int run(
      Path recording, Path out, Map<String, String> overrides, int parallelism, PrintStream console)
      throws Exception {
    long t0 = System.nanoTime();
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
    conf.set(RestOptions.PORT, 0);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    ReplayJob.Result r = ReplayJob.run(env, recording, out, overrides);
    double seconds = (System.nanoTime() - t0) / 1e9;
    console.printf(
        Locale.ROOT,
        "%s: %,d events, %,d dead letters (%,d late), %,d commands, %d incidents -> %s%n",
        r.recording(),
        r.events(),
        r.deadLetters(),
        r.lateEvents(),
        r.commands(),
        r.incidents().size(),
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
    console.printf(
        Locale.ROOT,
        "replayed in %.1f s, %,.0f events/s (JVM start excluded)%n",
        seconds,
        r.events() / Math.max(seconds, 1e-3));
    return 0;
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
