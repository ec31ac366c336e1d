package io.vmres.engine.recording;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Engine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Replays a recording in one JVM without Flink: reads it, routes its events to one {@link
 * ClusterEngine} per cluster (answering commands with the simulated hypervisor), and writes the six
 * output files.
 *
 * <p>Usage: {@code LocalReplay.run(Path.of("crash.jsonl"), Path.of("out"), Map.of())}, or from the
 * command line: {@code LocalReplay RECORDING OUTDIR [--set key=value]...}.
 */
public final class LocalReplay {

    /** What a replay did, in brief. */
    public record Result(RecordingStats stats, Settings settings, Long endTs, long commands) {}

    private LocalReplay() {}

    /**
     * Replays {@code recording} into {@code outDir}.
     *
     * @param setOverrides settings applied over the recording's meta config ({@code --set})
     * @throws IllegalArgumentException when an override is unknown or bad
     */
    public static Result run(Path recording, Path outDir, Map<String, String> setOverrides)
            throws IOException {
        return run(
                recording,
                outDir,
                setOverrides,
                (cluster, settings) ->
                        new ClusterEngine(cluster, settings, EngineOptions.simulated()));
    }

    /** Replays with engines from {@code engines} (a cluster key and the settings to an engine). */
    public static Result run(
            Path recording,
            Path outDir,
            Map<String, String> setOverrides,
            BiFunction<String, Settings, Engine> engines)
            throws IOException {
        ReplayOutputs outputs = new ReplayOutputs();
        ClusterRouter router = new ClusterRouter();
        RecordingStats stats;
        Settings settings;
        ReplayDriver driver;
        try (RecordingReader reader = RecordingReader.open(recording, setOverrides)) {
            settings = reader.settings();
            driver = new ReplayDriver(settings, router::route, engines, outputs);
            while (reader.hasNext()) {
                RecordingReader.Item item = reader.next();
                if (item instanceof RecordingReader.EventItem e) {
                    driver.offer(e.event());
                    driver.watermark(reader.watermark());
                } else {
                    outputs.accept(item);
                }
            }
            stats = reader.stats();
        }
        driver.finish(stats.lastOnTimeTs());
        Long endTs = outputs.endTs(stats.lastOnTimeTs());
        if (endTs != null) {
            driver.giveUpAtEnd(endTs);
        }
        outputs.write(outDir, stats, settings, driver.figures(), endTs);
        return new Result(stats, settings, endTs, outputs.commands().size());
    }

    /** {@code LocalReplay RECORDING OUTDIR [--set key=value]...} */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: LocalReplay RECORDING OUTDIR [--set key=value]...");
            System.exit(2);
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            String kv = args[i].equals("--set") && i + 1 < args.length ? args[++i] : args[i];
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                System.err.println("not key=value: " + kv);
                System.exit(2);
            }
            overrides.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        Result r = run(Path.of(args[0]), Path.of(args[1]), overrides);
        System.out.printf(
                "%s: %d events, %d dead letters (%d late), %d commands%n",
                r.stats().name(),
                r.stats().events(),
                r.stats().deadLetters(),
                r.stats().lateEvents(),
                r.commands());
    }
}
