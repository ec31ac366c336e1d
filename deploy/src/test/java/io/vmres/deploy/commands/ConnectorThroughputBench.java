package io.vmres.deploy.commands;

import io.vmres.connector.runtime.ConnectorOptions;
import io.vmres.connector.runtime.ConnectorService;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Commands a second through one connector service on the embedded broker, with the durable ledger
 * and transactions and without, on a simulated fleet that answers at once: what exactly-once costs.
 * Not a test; run by hand:
 *
 * <pre>
 * mvn -q -B -o -pl deploy -am test-compile
 * mvn -q -B -o -pl deploy dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp deploy/target/test-classes:deploy/target/classes:$(cat /tmp/cp.txt) \
 *   io.vmres.deploy.commands.ConnectorThroughputBench 5000
 * </pre>
 */
public final class ConnectorThroughputBench {
    private ConnectorThroughputBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        Path dir = Files.createTempDirectory("vmres-bench-");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().dataDir(dir).start()) {
            boolean[] modes = {false, true, false, true};
            // Every topic first: a topic written to at once after its creation is not always ready.
            try (org.apache.kafka.clients.admin.Admin admin =
                    org.apache.kafka.clients.admin.Admin.create(
                            java.util.Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                List<org.apache.kafka.clients.admin.NewTopic> topics = new java.util.ArrayList<>();
                for (int i = 0; i < modes.length; i++) {
                    topics.add(
                            new org.apache.kafka.clients.admin.NewTopic(
                                    "bench.commands." + i, 4, (short) 1));
                }
                admin.createTopics(topics).all().get();
            }
            Thread.sleep(2000);
            int round = 0;
            for (boolean exactlyOnce : modes) {
                String group = "bench-" + exactlyOnce + "-" + round;
                String topic = "bench.commands." + round++;
                send(kafka.bootstrapServers(), n, group, topic);
                SimulatedFleet fleet = SimulatedFleet.builder().hosts(100).clusters(1).build();
                ConnectorOptions options =
                        ConnectorOptions.builder()
                                .groupId(group)
                                .clientId(group)
                                .commandsTopic(topic)
                                .exactlyOnce(exactlyOnce)
                                .build();
                long start = System.nanoTime();
                ConnectorService service =
                        new ConnectorService(
                                        kafka.bootstrapServers(),
                                        SimulatedHypervisor.instant(fleet),
                                        options)
                                .start();
                while (service.counters().answered() < n) {
                    Thread.sleep(5);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                service.close();
                System.out.printf(
                        Locale.ROOT,
                        "exactlyOnce=%s: %d commands answered in %.2f s (from start, ledger read included):"
                                + " %.0f commands/s%n",
                        exactlyOnce,
                        n,
                        seconds,
                        n / seconds);
            }
        }
    }

    private static void send(String bootstrap, int n, String prefix, String topic) {
        AvroCodec codec = new AvroCodec();
        try (Producer<byte[], byte[]> producer = LiveRuntime.producer(bootstrap)) {
            for (int i = 0; i < n; i++) {
                String target = String.format(Locale.ROOT, "h%03d", 1 + i % 100);
                Command c =
                        Command.newBuilder()
                                .setCommandId(prefix + "-" + i)
                                .setIncidentId("bench")
                                .setCluster("c1")
                                .setAttempt(1)
                                .setTs(Instant.now())
                                .setAction(Action.MAP_DISKS)
                                .setHost("h100")
                                .setTarget(target)
                                .setVms(List.of("vm-" + i))
                                .setDisks(List.of("disk-" + i))
                                .build();
                producer.send(
                        new ProducerRecord<>(
                                topic, target.getBytes(StandardCharsets.UTF_8), codec.encode(c)));
            }
            producer.flush();
        }
    }
}
