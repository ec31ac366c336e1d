package io.vmres.deploy.runtime.cluster;

import io.vmres.schema.KafkaEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * Three Kafka brokers in KRaft mode, each a JVM of its own and each both broker and controller: a
 * quorum of three, which keeps metadata and data through the loss of any one. Formatted with {@code
 * kafka.tools.StorageTool format}, run with {@code kafka.Kafka server.properties}.
 */
final class KafkaQuorum {
    private static final List<String> HEAP = List.of("-Xms256m", "-Xmx768m");

    private final Path home;
    private final ClusterConfig ports;
    private final Installation inst;
    private final ClusterProcesses processes;

    KafkaQuorum(Path home, ClusterConfig ports, Installation inst, ClusterProcesses processes) {
        this.home = home;
        this.ports = ports;
        this.inst = inst;
        this.processes = processes;
    }

    static String name(int i) {
        return "kafka-" + (i + 1);
    }

    /** Writes each broker's configuration and formats its storage, all brokers at once. */
    void format() throws IOException, InterruptedException {
        String clusterId = Uuid.randomUuid().toString();
        List<Process> formats = new ArrayList<>();
        for (int i = 0; i < ports.kafkaPorts().size(); i++) {
            Path dir = home.resolve("kafka").resolve(Integer.toString(i + 1));
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("server.properties"), properties(i, dir));
            List<String> cmd = new ArrayList<>();
            cmd.add(inst.java().toString());
            cmd.addAll(
                    JvmOptions.logging(
                            home.resolve("log4j2.properties"),
                            processes.logFile(name(i) + "-format")));
            cmd.addAll(
                    List.of(
                            "-cp",
                            inst.clusterClasspathString(),
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            clusterId,
                            "-c",
                            dir.resolve("server.properties").toString()));
            formats.add(
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(processes.outFile(name(i) + "-format").toFile())
                            .start());
        }
        for (int i = 0; i < formats.size(); i++) {
            if (!formats.get(i).waitFor(2, TimeUnit.MINUTES) || formats.get(i).exitValue() != 0) {
                formats.get(i).destroyForcibly();
                throw new IllegalStateException(
                        "formatting "
                                + name(i)
                                + " failed: see "
                                + processes.outFile(name(i) + "-format"));
            }
        }
    }

    private String properties(int i, Path dir) {
        List<String> voters = new ArrayList<>();
        for (int j = 0; j < ports.controllerPorts().size(); j++) {
            voters.add((j + 1) + "@" + ClusterConfig.HOST + ":" + ports.controllerPorts().get(j));
        }
        int n = ports.kafkaPorts().size();
        String h = ClusterConfig.HOST;
        return String.join(
                "\n",
                "# vmres local cluster: broker " + (i + 1) + " of " + n + ", broker and controller",
                "process.roles=broker,controller",
                "node.id=" + (i + 1),
                "controller.quorum.voters=" + String.join(",", voters),
                "listeners=PLAINTEXT://"
                        + h
                        + ":"
                        + ports.kafkaPorts().get(i)
                        + ",CONTROLLER://"
                        + h
                        + ":"
                        + ports.controllerPorts().get(i),
                "advertised.listeners=PLAINTEXT://" + h + ":" + ports.kafkaPorts().get(i),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=4",
                "default.replication.factor=" + n,
                "min.insync.replicas=" + Math.max(1, Math.min(2, n - 1)),
                "offsets.topic.replication.factor=" + n,
                "transaction.state.log.replication.factor=" + n,
                "transaction.state.log.min.isr=" + Math.max(1, Math.min(2, n - 1)),
                // the job's transactions last at most 10 minutes (its sink's timeout)
                "transaction.max.timeout.ms=900000",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=false",
                "");
    }

    /** Starts every broker. */
    void start() throws IOException {
        for (int i = 0; i < ports.kafkaPorts().size(); i++) {
            start(i);
        }
    }

    /** Starts broker {@code i} (0-based) on its formatted storage. */
    void start(int i) throws IOException {
        {
            List<String> jvm = new ArrayList<>(JvmOptions.COMMON);
            jvm.addAll(HEAP);
            jvm.addAll(
                    JvmOptions.logging(
                            home.resolve("log4j2.properties"), processes.logFile(name(i))));
            processes.start(
                    name(i),
                    inst.java(),
                    jvm,
                    inst.clusterClasspathString(),
                    "kafka.Kafka",
                    List.of(
                            home.resolve("kafka")
                                    .resolve(Integer.toString(i + 1))
                                    .resolve("server.properties")
                                    .toString()));
        }
    }

    /** Waits until every broker is in the cluster, or fails at the deadline. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        try (Admin admin = admin(ports.bootstrap())) {
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < ports.kafkaPorts().size(); i++) {
                    try {
                        if (processes.find(name(i)).isEmpty()) {
                            throw new IllegalStateException(
                                    name(i)
                                            + " exited: see "
                                            + processes.outFile(name(i))
                                            + " and "
                                            + processes.logFile(name(i)));
                        }
                    } catch (IOException e) {
                        last = e;
                    }
                }
                try {
                    int nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (nodes == ports.kafkaPorts().size()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException(
                "Kafka not ready within " + timeout.toSeconds() + " s", last);
    }

    static Admin admin(String bootstrap) {
        return Admin.create(
                KafkaEndpoint.of(bootstrap)
                        .client(
                                Map.of(
                                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)));
    }

    static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
