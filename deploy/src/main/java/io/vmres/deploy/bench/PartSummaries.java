package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The report sections of {@code bench replay} and {@code bench recovery}, made from the detailed
 * JSON each writes ({@code --json}): their headline figures, flat, beside their baselines and
 * targets.
 */
public final class PartSummaries {
    private PartSummaries() {}

    /** {@code replay}: the fresh JVM's wall time and the in-JVM median's rate. */
    public static BenchResult replay(Path details, String command) throws IOException {
        JsonNode d = new ObjectMapper().readTree(details.toFile());
        JsonNode rec = d.path("recording");
        JsonNode fresh = d.path("freshJvm");
        JsonNode median = d.path("inJvmMedian");
        boolean targetSize =
                rec.path("hosts").asInt() == 400 && rec.path("durationS").asLong() == 3600;
        BenchResult r = new BenchResult("replay", BenchResult.machineNow(), command);
        r.describe(
                String.format(
                        Locale.ROOT,
                        "A generated recording of %,d hosts, %,d VMs and %d s of event time (%,d"
                                + " events) replayed as `vmres replay` does: in this JVM after a"
                                + " warm-up (the median of the runs), and once in a fresh `java`"
                                + " process, JVM and MiniCluster start included.",
                        rec.path("hosts").asInt(),
                        rec.path("vms").asInt(),
                        rec.path("durationS").asLong(),
                        rec.path("events").asLong()));
        r.figure("events", rec.path("events").asDouble(), "", "events in the recording");
        if (targetSize) {
            r.figure(
                    "freshJvmWallS",
                    fresh.path("wallS").asDouble(),
                    "s",
                    "wall time of the fresh JVM's replay",
                    String.format(
                            Locale.ROOT, "%.2f s (in-JVM median)", median.path("wallS").asDouble()),
                    BenchResult.Target.max(Bench.TARGET_WALL_S));
        } else {
            r.figure(
                    "freshJvmWallS",
                    fresh.path("wallS").asDouble(),
                    "s",
                    "wall time of the fresh JVM's replay (the target is for 400 hosts, 1 h)",
                    String.format(
                            Locale.ROOT,
                            "%.2f s (in-JVM median)",
                            median.path("wallS").asDouble()));
        }
        r.figure(
                        "inJvmEventsPerS",
                        median.path("eventsPerS").asDouble(),
                        "events/s",
                        "the in-JVM median's rate",
                        String.format(
                                Locale.ROOT,
                                "%,.0f events/s (passthrough, reference machine)",
                                Bench.PASSTHROUGH_EVENTS_PER_S))
                .figure(
                        "freshJvmEventsPerS",
                        fresh.path("eventsPerS").asDouble(),
                        "events/s",
                        "the fresh JVM's rate")
                .figure("startupS", d.path("startupS").asDouble(), "s", "a replay of no event");
        return r;
    }
}
