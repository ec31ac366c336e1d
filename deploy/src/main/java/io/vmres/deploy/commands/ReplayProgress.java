package io.vmres.deploy.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.job.replay.SingleReaderSource;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line {@code vmres replay} rewrites in place on a terminal while it runs: lines of the
 * recording read and events/s, from the recording source's gauges, asked of the MiniCluster's REST
 * API twice a second.
 */
final class ReplayProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayProgress.class);
    private static final long EVERY_MS = 500;
    private static final String CLEAR_LINE = "\r\u001b[K";

    private final PrintStream out;
    private final String name;
    private final CompletableFuture<MiniCluster> cluster;
    private final CompletableFuture<JobID> job;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;
    // Only the timer's thread touches these.
    private String sourceVertex;
    private String linesMetric;
    private String eventsMetric;
    private long lastEvents = -1;
    private long lastNanos;
    private double rate = Double.NaN;
    private boolean closed; // guarded by this

    private ReplayProgress(
            PrintStream out,
            String name,
            CompletableFuture<MiniCluster> cluster,
            CompletableFuture<JobID> job) {
        this.out = out;
        this.name = name;
        this.cluster = cluster;
        this.job = job;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "vmres-replay-progress");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Starts showing progress on {@code out}; {@link #close()} clears the line. */
    static ReplayProgress start(
            PrintStream out,
            String name,
            CompletableFuture<MiniCluster> cluster,
            CompletableFuture<JobID> job) {
        ReplayProgress p = new ReplayProgress(out, name, cluster, job);
        p.timer.scheduleWithFixedDelay(p::tick, 0, EVERY_MS, TimeUnit.MILLISECONDS);
        return p;
    }

    private void tick() {
        String line;
        try {
            line = render();
        } catch (IOException | RuntimeException e) {
            // The display must never fail the replay: say what it could not read, keep the last
            // figures.
            LOG.debug("replay progress: cannot read the source's metrics", e);
            line = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (line != null) {
            synchronized (this) {
                if (!closed) {
                    out.print(CLEAR_LINE + line);
                    out.flush();
                }
            }
        }
    }

    private String render() throws IOException, InterruptedException {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        // The job is submitted once the MiniCluster has started: only then ask it for its address,
        // as the cluster holds its lock for the whole start.
        JobID id = job.getNow(null);
        MiniCluster mc = cluster.getNow(null);
        URI rest = id == null || mc == null ? null : mc.getRestAddress().getNow(null);
        if (rest == null) {
            return String.format(Locale.ROOT, "%s: starting Flink (%.0f s)", name, elapsed);
        }
        String base = rest.toString().replaceAll("/$", "") + "/jobs/" + id;
        if (sourceVertex == null) {
            for (JsonNode v : get(base).path("vertices")) {
                if (v.path("name").asText().startsWith("Source")) {
                    sourceVertex = v.path("id").asText();
                }
            }
            if (sourceVertex == null) {
                return String.format(Locale.ROOT, "%s: starting the job (%.0f s)", name, elapsed);
            }
        }
        String metrics = base + "/vertices/" + sourceVertex + "/metrics";
        if (linesMetric == null || eventsMetric == null) {
            // Ids read "<subtask>.<operator>.<name>": found by their names, whatever the
            // operator's.
            for (JsonNode m : get(metrics)) {
                String metricId = m.path("id").asText();
                if (metricId.endsWith("." + SingleReaderSource.LINES_READ)) {
                    linesMetric = metricId;
                } else if (metricId.endsWith("." + SingleReaderSource.EVENTS_READ)) {
                    eventsMetric = metricId;
                }
            }
            if (linesMetric == null || eventsMetric == null) {
                return String.format(
                        Locale.ROOT, "%s: opening the recording (%.0f s)", name, elapsed);
            }
        }
        long lines = -1;
        long events = -1;
        String query =
                URLEncoder.encode(linesMetric + "," + eventsMetric, StandardCharsets.UTF_8)
                        .replace("%2C", ",");
        for (JsonNode m : get(metrics + "?get=" + query)) {
            long value = (long) Double.parseDouble(m.path("value").asText("0"));
            if (m.path("id").asText().equals(linesMetric)) {
                lines = value;
            } else {
                events = value;
            }
        }
        if (lines < 0 || events < 0) {
            return null;
        }
        long now = System.nanoTime();
        // The REST API refreshes its figures a few times a second: a rate needs two different ones.
        if (lastEvents >= 0 && events > lastEvents) {
            rate = (events - lastEvents) / ((now - lastNanos) / 1e9);
        }
        if (lastEvents < 0 || events > lastEvents) {
            lastEvents = events;
            lastNanos = now;
        }
        String speed =
                Double.isNaN(rate) ? "" : String.format(Locale.ROOT, ", %,.0f events/s", rate);
        return String.format(
                Locale.ROOT, "%s: %,d lines read%s (%.0f s)", name, lines, speed, elapsed);
    }

    private JsonNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + ": HTTP " + r.statusCode());
        }
        return json.readTree(r.body());
    }

    /** Stops the display and clears its line, so that what follows starts on a clean line. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            out.print(CLEAR_LINE);
            out.flush();
        }
        timer.shutdownNow();
    }
}
