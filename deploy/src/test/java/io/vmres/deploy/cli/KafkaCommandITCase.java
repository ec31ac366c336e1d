package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.schema.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("slow")
class KafkaCommandITCase {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern ADDRESS = Pattern.compile("bootstrap\\.servers=(\\S+)");

    @Test
    void runsABrokerUntilShutdownAndThenStopsIt() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Cli cli =
                new Cli(new RecordingActions())
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true));
        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(
                        () -> cli.run("kafka", "--port", "0", "--partitions", "2"));

        String bootstrap = awaitAddress(out, exit);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Map<String, TopicDescription> topics =
                    admin.describeTopics(Topics.ALL).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(2));
        }
        assertThat(exit).isNotDone();

        cli.lifecycle().close(); // what the shutdown hook does on Ctrl-C
        assertThat(exit.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Cli.OK);
        assertThat(out.toString()).contains("Kafka is ready at " + bootstrap, "Kafka stopped.");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aTakenPortIsAFailureThatSaysSo() throws Exception {
        try (java.net.ServerSocket taken =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            StringWriter err = new StringWriter();
            int code =
                    new Cli(new RecordingActions())
                            .setOut(new PrintWriter(new StringWriter(), true))
                            .setErr(new PrintWriter(err, true))
                            .run("kafka", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(code).isEqualTo(Cli.FAILURE);
            assertThat(err.toString())
                    .contains("port " + taken.getLocalPort() + " on 127.0.0.1 is in use");
        }
    }

    private static String awaitAddress(StringWriter out, CompletableFuture<Integer> exit)
            throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = ADDRESS.matcher(out.toString());
            if (m.find()) {
                return m.group(1);
            }
            if (exit.isDone()) {
                throw new AssertionError("kafka exited with " + exit.get() + ": " + out);
            }
            // Wait on the command itself, briefly, rather than sleeping: it wakes early if it ends.
            try {
                exit.get(50, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                continue;
            }
        }
        throw new AssertionError("no bootstrap address printed within " + DEADLINE + ": " + out);
    }
}
