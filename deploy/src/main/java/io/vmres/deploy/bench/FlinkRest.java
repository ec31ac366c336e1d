package io.vmres.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;

/** What the bench asks of a running job through Flink's REST API: record counts, checkpoints. */
final class FlinkRest {
    private final String base;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String sourceVertex;
    private String sourceMetric;
    private final Map<String, String> watermarkMetric = new HashMap<>();

    FlinkRest(int port, JobID job) {
        this.base = "http://127.0.0.1:" + port + "/jobs/" + job;
    }

    /**
     * Records the job's source named {@code sourceName} has emitted so far, all subtasks summed;
     * empty until the job runs and reports them.
     */
    Optional<Long> sourceRecordsOut(String sourceName) throws IOException, InterruptedException {
        if (sourceVertex == null) {
            for (JsonNode v : get("").path("vertices")) {
                if (v.path("name").asText().startsWith("Source: " + sourceName)) {
                    sourceVertex = v.path("id").asText();
                }
            }
            if (sourceVertex == null) {
                return Optional.empty();
            }
        }
        String metrics = "/vertices/" + sourceVertex + "/subtasks/metrics";
        if (sourceMetric == null) {
            // the operator's own counter ("Source__inputs.numRecordsOut"): the task's counts what
            // leaves the chain's last operator
            for (JsonNode m : get(metrics)) {
                String id = m.path("id").asText();
                if (id.startsWith("Source__") && id.endsWith(".numRecordsOut")) {
                    sourceMetric = id;
                }
            }
            if (sourceMetric == null) {
                return Optional.empty();
            }
        }
        String q = URLEncoder.encode(sourceMetric, StandardCharsets.UTF_8);
        for (JsonNode m : get(metrics + "?get=" + q + "&agg=sum")) {
            if (m.has("sum")) {
                return Optional.of((long) m.path("sum").asDouble());
            }
        }
        return Optional.empty();
    }

    /**
     * Records each of the job's vertices named {@code names} (or that begin with them) has received
     * from the network so far, all subtasks summed, in one request; 0 for a name no vertex has.
     */
    long[] vertexRecordsIn(String... names) throws IOException, InterruptedException {
        long[] in = new long[names.length];
        for (JsonNode v : get("").path("vertices")) {
            for (int i = 0; i < names.length; i++) {
                if (v.path("name").asText().startsWith(names[i])) {
                    in[i] = v.path("metrics").path("read-records").asLong();
                }
            }
        }
        return in;
    }

    /**
     * Each vertex's event time, in the graph's order: the least over its subtasks of the input
     * watermark (a source's: of its output watermark), in ms; {@link Long#MIN_VALUE} for a vertex
     * that has none yet. Keyed by the vertex's first operator's name.
     */
    LinkedHashMap<String, Long> watermarks() throws IOException, InterruptedException {
        LinkedHashMap<String, Long> out = new LinkedHashMap<>();
        for (JsonNode v : get("").path("vertices")) {
            String id = v.path("id").asText();
            String name = v.path("name").asText().split(" -> ", 2)[0].replace("Source: ", "");
            String metrics = "/vertices/" + id + "/subtasks/metrics";
            String metric = watermarkMetric.get(id);
            if (metric == null) {
                for (JsonNode m : get(metrics)) {
                    String mid = m.path("id").asText();
                    if (mid.startsWith("Source__") && mid.endsWith(".currentOutputWatermark")) {
                        metric = mid;
                    } else if (mid.equals("currentInputWatermark") && metric == null) {
                        metric = mid;
                    }
                }
                if (metric == null) {
                    out.put(name, Long.MIN_VALUE);
                    continue;
                }
                watermarkMetric.put(id, metric);
            }
            long min = Long.MIN_VALUE;
            String q = URLEncoder.encode(metric, StandardCharsets.UTF_8);
            for (JsonNode m : get(metrics + "?get=" + q + "&agg=min")) {
                if (m.has("min")) {
                    min = (long) m.path("min").asDouble();
                }
            }
            out.put(name, min);
        }
        return out;
    }

    /** How many failures the job has had (its restarts): {@code /jobs/ID/exceptions}. */
    int failures() throws IOException, InterruptedException {
        return get("/exceptions").path("exceptionHistory").path("entries").size();
    }

    /** The job's checkpoint statistics ({@code /jobs/ID/checkpoints}). */
    JsonNode checkpoints() throws IOException, InterruptedException {
        return get("/checkpoints");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(Duration.ofSeconds(5))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + base + path + ": HTTP " + r.statusCode());
        }
        return json.readTree(r.body());
    }
}
