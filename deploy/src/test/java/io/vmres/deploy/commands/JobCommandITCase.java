package io.vmres.deploy.commands;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.cli.Cli;
import io.vmres.deploy.cli.WiredActions;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.HostState;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmres job} against a broker of its own, with {@code vmres fleet} (the simulated fleet and
 * its connector) beside it, at parallelism 2 (routing keyed by host): a crashed host's incident is
 * RECOVERED, then a rack's power loss (`vmres fleet rack`), then a host's predicted failure is
 * drained (`vmres fleet degrade`); Ctrl-C cancels the job and closes its MiniCluster with exit code
 * 0.
 */
@Tag("slow")
class JobCommandITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void recoversACrashedHostAndStopsCleanlyOnCtrlC(@TempDir Path control) throws Exception {
        StringWriter jobOut = new StringWriter();
        Cli job = new Cli(new WiredActions()).setOut(new PrintWriter(jobOut, true));
        Cli fleet = new Cli(new WiredActions());
        CompletableFuture<Integer> jobExit =
                CompletableFuture.supplyAsync(
                        () ->
                                job.run(
                                        "job",
                                        "--bootstrap",
                                        KAFKA.bootstrapServers(),
                                        "--parallelism",
                                        "2",
                                        "--status-every",
                                        "1s",
                                        // the simulated fleet's connector signs nothing
                                        "--insecure-unsigned"));
        CompletableFuture<Integer> fleetExit = null;
        AvroCodec codec = new AvroCodec();
        try (KafkaConsumer<byte[], byte[]> decisions = committedReader()) {
            decisions.subscribe(List.of(Topics.INCIDENTS, Topics.FLEET_STATE));
            await(
                    Duration.ofSeconds(120),
                    () -> {
                        assertThat(jobExit).as("the job runs; it said: %s", jobOut).isNotDone();
                        return Optional.of(jobOut.toString())
                                .filter(o -> o.contains("RUNNING; checkpoints:"))
                                .filter(o -> o.contains("last #"));
                    });

            fleetExit =
                    CompletableFuture.supplyAsync(
                            () ->
                                    fleet.run(
                                            "fleet",
                                            "--hosts",
                                            "120",
                                            "--vms-per-host",
                                            "3",
                                            "--clusters",
                                            "2",
                                            "--control",
                                            control.toString(),
                                            "--bootstrap",
                                            KAFKA.bootstrapServers()));
            List<SpecificRecord> seen = new ArrayList<>();
            // the job has taken in the fleet once its first host states are committed
            await(
                    Duration.ofSeconds(120),
                    () -> {
                        seen.addAll(poll(decisions, codec));
                        return seen.stream().filter(HostState.class::isInstance).findFirst();
                    });

            String crashed = FleetControl.request(control, "any", Duration.ofSeconds(30));
            assertThat(crashed).startsWith("crashed ");
            String host = crashed.split(" ")[1];

            Incident recovered =
                    await(
                            Duration.ofSeconds(180),
                            () -> {
                                seen.addAll(poll(decisions, codec));
                                return seen.stream()
                                        .filter(Incident.class::isInstance)
                                        .map(Incident.class::cast)
                                        .filter(i -> i.getHosts().contains(host))
                                        .filter(i -> i.getState().name().equals("RECOVERED"))
                                        .findFirst();
                            });
            assertThat(recovered.getKind().name()).isEqualTo("HOST_FAILURE");

            // a rack loses power: its hosts are one incident, recovered
            String rack =
                    FleetControl.request(
                            control, FleetControl.Fault.RACK, "any", Duration.ofSeconds(30));
            assertThat(rack).startsWith("rack ").contains(" lost power");
            List<String> rackHosts =
                    List.of(
                            rack.substring(
                                            rack.indexOf('(', rack.indexOf("hosts down")) + 1,
                                            rack.indexOf(')', rack.indexOf("hosts down")))
                                    .split(" "));
            String someOfRack = rackHosts.get(rackHosts.size() - 1);
            Incident rackRecovered = recovered(decisions, codec, seen, someOfRack, "HOST_FAILURE");
            assertThat(rackRecovered.getHosts()).contains(someOfRack);

            // a host reports a failure to come: drained while it runs
            String degraded =
                    FleetControl.request(
                            control, FleetControl.Fault.DEGRADE_ECC, "any", Duration.ofSeconds(30));
            assertThat(degraded).startsWith("degraded ");
            String sick = degraded.split(" ")[1];
            assertThat(rackHosts).doesNotContain(sick);
            assertThat(recovered(decisions, codec, seen, sick, "PREDICTED_FAILURE").getHosts())
                    .containsExactly(sick);
        } finally {
            fleet.lifecycle().close(); // what Ctrl-C does
            job.lifecycle().close();
        }
        assertThat(fleetExit.get(60, TimeUnit.SECONDS)).isEqualTo(Cli.OK);
        assertThat(jobExit.get(60, TimeUnit.SECONDS)).isEqualTo(Cli.OK);
        assertThat(jobOut.toString())
                .contains("on a local Flink MiniCluster", "exactly-once")
                .contains(" cancelled.", "Flink MiniCluster closed.");
    }

    @Test
    void anUnreachableBrokerIsToldAtOnce() {
        StringWriter err = new StringWriter();
        long started = System.nanoTime();
        int code =
                new Cli(new WiredActions())
                        .setErr(new PrintWriter(err, true))
                        .run("job", "--bootstrap", "127.0.0.1:1", "--insecure-unsigned");
        assertThat(code).isEqualTo(Cli.FAILURE);
        assertThat(err.toString()).contains("cannot reach the Kafka at 127.0.0.1:1");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(KafkaProbe.TIMEOUT.plusSeconds(10));
    }

    /** The RECOVERED line of the incident of {@code kind} that holds {@code host}. */
    private static Incident recovered(
            KafkaConsumer<byte[], byte[]> decisions,
            AvroCodec codec,
            List<SpecificRecord> seen,
            String host,
            String kind)
            throws InterruptedException {
        return await(
                Duration.ofSeconds(180),
                () -> {
                    seen.addAll(poll(decisions, codec));
                    return seen.stream()
                            .filter(Incident.class::isInstance)
                            .map(Incident.class::cast)
                            .filter(i -> i.getHosts().contains(host))
                            .filter(i -> i.getKind().name().equals(kind))
                            .filter(i -> i.getState().name().equals("RECOVERED"))
                            .findFirst();
                });
    }

    private static List<SpecificRecord> poll(KafkaConsumer<byte[], byte[]> c, AvroCodec codec) {
        List<SpecificRecord> got = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            try {
                got.add(codec.decode(r.value()));
            } catch (AvroCodec.BadRecordException e) {
                throw new AssertionError(r.topic() + " holds a record that does not decode", e);
            }
        }
        return got;
    }

    /** The job writes in transactions: what is not committed may still be aborted. */
    private static KafkaConsumer<byte[], byte[]> committedReader() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "job-command-test",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }
}
