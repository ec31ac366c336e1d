package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The parts of Flink's REST API the local cluster uses: overview, jar upload and run, job state.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public FlinkRest(String base) {
        this.base = base;
    }

    /** {@code GET path} as JSON; throws on a status other than 200. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .timeout(REQUEST_TIMEOUT)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return body(r, path);
    }

    /** Uploads a job jar ({@code POST /jars/upload}, field {@code jarfile}); returns its id. */
    public String upload(Path jar) throws IOException, InterruptedException {
        String boundary = "vmres-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                                .timeout(Duration.ofMinutes(2))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        String filename = body(r, "/jars/upload").path("filename").asText();
        // the id is the stored file's name
        return Path.of(filename).getFileName().toString();
    }

    /** Runs an uploaded jar ({@code POST /jars/ID/run}); returns the job id. */
    public String run(String jarId, String entryClass, List<String> args, int parallelism)
            throws IOException, InterruptedException {
        return run(jarId, entryClass, args, parallelism, null);
    }

    /**
     * As {@link #run(String, String, List, int)}, restoring the job's state from {@code
     * savepointPath} (a savepoint or a retained checkpoint) unless it is null.
     */
    public String run(
            String jarId,
            String entryClass,
            List<String> args,
            int parallelism,
            String savepointPath)
            throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode();
        if (savepointPath != null) {
            req.put("savepointPath", savepointPath);
        }
        req.put("entryClass", entryClass);
        req.put("parallelism", parallelism);
        req.set("programArgsList", JSON.valueToTree(args));
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
                                .timeout(Duration.ofMinutes(2))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(req)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return body(r, "/jars/" + jarId + "/run").path("jobid").asText();
    }

    /** A job's state and whether every task of it runs. */
    public record JobState(String state, boolean allTasksRunning) {}

    public JobState job(String jobId) throws IOException, InterruptedException {
        JsonNode j = get("/jobs/" + jobId);
        boolean all = j.path("vertices").size() > 0;
        for (JsonNode v : j.path("vertices")) {
            all &= "RUNNING".equals(v.path("status").asText());
        }
        return new JobState(j.path("state").asText(), all);
    }

    private static JsonNode body(HttpResponse<String> r, String path) throws IOException {
        if (r.statusCode() / 100 != 2) {
            String why = r.body();
            try {
                JsonNode errors = JSON.readTree(r.body()).path("errors");
                if (errors.size() > 0) {
                    why = errors.get(0).asText().lines().findFirst().orElse(why);
                }
            } catch (IOException e) {
                // not JSON: the body as it is
            }
            throw new IOException(path + ": HTTP " + r.statusCode() + ": " + why);
        }
        return JSON.readTree(r.body());
    }
}
