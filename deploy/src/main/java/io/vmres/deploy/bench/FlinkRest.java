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
