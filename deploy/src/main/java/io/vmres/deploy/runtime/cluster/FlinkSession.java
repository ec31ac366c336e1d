package io.vmres.deploy.runtime.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Flink session cluster without flink-dist: a JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each a JVM,
 * sharing one {@code config.yaml}. The TaskManagers' memory flags come from {@code BashJavaUtils
 * GET_TM_RESOURCE_PARAMS}, as flink-dist's scripts get them.
 */
final class FlinkSession {
    static final String JOBMANAGER = "jobmanager";
    private static final String RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final Path home;
    private final ClusterConfig ports;
    private final Installation inst;
    private final ClusterProcesses processes;
    private final int taskManagers;
    private final int slots;

    FlinkSession(
            Path home,
            ClusterConfig ports,
            Installation inst,
            ClusterProcesses processes,
            int taskManagers,
            int slots) {
        this.home = home;
        this.ports = ports;
        this.inst = inst;
        this.processes = processes;
        this.taskManagers = taskManagers;
        this.slots = slots;
    }

    static String taskManager(int i) {
        return "taskmanager-" + (i + 1);
    }

    Path confDir() {
        return home.resolve("flink").resolve("conf");
    }

    /** Writes {@code config.yaml}; returns the state backend chosen. */
    String configure() throws IOException {
        Path flink = home.resolve("flink");
        for (String d : List.of("conf", "checkpoints", "savepoints", "tmp", "uploads")) {
            Files.createDirectories(flink.resolve(d));
        }
        String backend = inst.hasRocksDb() ? "rocksdb" : "hashmap";
        String h = ClusterConfig.HOST;
        String yaml =
                String.join(
                        "\n",
                        "# vmres local cluster: written by `vmres cluster up`",
                        "jobmanager.rpc.address: " + h,
                        "jobmanager.rpc.port: " + ports.rpcPort(),
                        "jobmanager.bind-host: " + h,
                        "jobmanager.memory.process.size: 1024m",
                        "taskmanager.host: " + h,
                        "taskmanager.bind-host: " + h,
                        "taskmanager.numberOfTaskSlots: " + slots,
                        "taskmanager.memory.process.size: 1280m",
                        "blob.server.port: " + ports.blobPort(),
                        "rest.address: " + h,
                        "rest.bind-address: " + h,
                        "rest.port: " + ports.restPort(),
                        "parallelism.default: " + taskManagers,
                        "cluster.evenly-spread-out-slots: true",
                        // lose a TaskManager in 10 s, not 50; beats every 2 s keep a loaded
                        // machine from timing out healthy ones
                        "heartbeat.timeout: 10000",
                        "heartbeat.interval: 2000",
                        "state.backend.type: " + backend,
                        "execution.checkpointing.incremental: " + backend.equals("rocksdb"),
                        "execution.checkpointing.dir: " + flink.resolve("checkpoints").toUri(),
                        "execution.checkpointing.savepoint-dir: "
                                + flink.resolve("savepoints").toUri(),
                        "execution.checkpointing.num-retained: 3",
                        "io.tmp.dirs: " + flink.resolve("tmp"),
                        "web.upload.dir: " + flink.resolve("uploads"),
                        "web.submit.enable: true",
                        "");
        Files.writeString(confDir().resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        return backend;
    }

    void startJobManager() throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(JvmOptions.COMMON);
        jvm.addAll(JvmOptions.FLINK_OPENS);
        List<List<String>> params = resourceParams("GET_JM_RESOURCE_PARAMS", JOBMANAGER);
        jvm.addAll(params.get(0));
        jvm.addAll(
                JvmOptions.logging(
                        home.resolve("log4j2.properties"), processes.logFile(JOBMANAGER)));
        processes.start(
                JOBMANAGER,
                inst.java(),
                jvm,
                inst.clusterClasspathString(),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                withDynamic(List.of("--configDir", confDir().toString()), params.get(1)));
    }

    void startTaskManagers() throws IOException, InterruptedException {
        List<List<String>> params = resourceParams("GET_TM_RESOURCE_PARAMS", "taskmanager");
        for (int i = 0; i < taskManagers; i++) {
            startTaskManager(i, params);
        }
    }

    /** Starts TaskManager {@code i} (0-based) alone. */
    void startTaskManager(int i) throws IOException, InterruptedException {
        startTaskManager(i, resourceParams("GET_TM_RESOURCE_PARAMS", "taskmanager"));
    }

    private void startTaskManager(int i, List<List<String>> params) throws IOException {
        {
            List<String> jvm = new ArrayList<>(JvmOptions.COMMON);
            jvm.addAll(JvmOptions.FLINK_OPENS);
            jvm.addAll(params.get(0));
            jvm.addAll(
                    JvmOptions.logging(
                            home.resolve("log4j2.properties"), processes.logFile(taskManager(i))));
            List<String> args = new ArrayList<>(List.of("--configDir", confDir().toString()));
            args.addAll(params.get(1));
            args.addAll(List.of("-D", "taskmanager.resource-id=" + taskManager(i)));
            processes.start(
                    taskManager(i),
                    inst.java(),
                    jvm,
                    inst.clusterClasspathString(),
                    "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                    args);
        }
    }

    private static List<String> withDynamic(List<String> args, List<String> dynamic) {
        List<String> all = new ArrayList<>(args);
        all.addAll(dynamic);
        return all;
    }

    /** {@code BashJavaUtils COMMAND}: the JVM flags, then the {@code -D} settings, it prints. */
    private List<List<String>> resourceParams(String command, String who)
            throws IOException, InterruptedException {
        Path out = processes.outFile(who + "-resources");
        List<String> cmd = new ArrayList<>(List.of(inst.java().toString()));
        cmd.addAll(
                JvmOptions.logging(
                        home.resolve("log4j2.properties"), processes.logFile(who + "-resources")));
        cmd.addAll(
                List.of(
                        "-cp",
                        inst.clusterClasspathString(),
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        command,
                        "--configDir",
                        confDir().toString()));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("BashJavaUtils " + command + " failed: see " + out);
        }
        List<List<String>> results = new ArrayList<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            if (line.startsWith(RESULT)) {
                String v = line.substring(RESULT.length()).strip();
                results.add(v.isEmpty() ? List.of() : Arrays.asList(v.split("\\s+")));
            }
        }
        if (results.isEmpty()) {
            throw new IllegalStateException(
                    "BashJavaUtils " + command + " printed nothing: see " + out);
        }
        while (results.size() < 2) {
            results.add(List.of());
        }
        return results;
    }

    /** Waits until the REST API answers and {@code taskManagers} TaskManagers are registered. */
    void awaitReady(int expectTaskManagers, Duration timeout)
            throws InterruptedException, IOException {
        FlinkRest rest = new FlinkRest(ports.restUrl());
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (processes.find(JOBMANAGER).isEmpty()) {
                throw new IllegalStateException(
                        "the JobManager exited: see " + processes.logFile(JOBMANAGER));
            }
            try {
                JsonNode o = rest.get("/overview");
                if (o.path("taskmanagers").asInt() >= expectTaskManagers) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "Flink not ready within " + timeout.toSeconds() + " s", last);
    }
}
