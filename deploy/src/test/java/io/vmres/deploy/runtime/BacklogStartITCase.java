package io.vmres.deploy.runtime;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.Health;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job starts over topics that already hold what a fleet of 60 hosts wrote for 45 s, one host
 * writing 2,000 health samples a second: one partition of the health topic holds about 90,000
 * records when every other holds a few hundred, and the job's consumer reads it for half a minute
 * while the others are read up and go on with live records. Each partition holds event time until
 * it has read its backlog: no record is late, no host is declared failed, and a host that crashes
 * once the job is live is recovered.
 */
@Tag("slow")
class BacklogStartITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    /** How long the fleet runs before the job starts. */
    private static final Duration LEAD = Duration.ofSeconds(45);

    /** Health samples of the busy host every 10 ms. */
    private static final int SAMPLES = 20;

    @Test
    void backlogIsReadInEventTimeAndACrashedHostIsRecovered() throws Exception {
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(60)
                        .clusters(1)
                        .hostsPerRack(8)
                        .vmsPerHost(6)
                        .seed(11)
                        .build();
        // one host's health samples, many a second while the fleet runs before the job: their
        // partition of the health topic is far behind the others when the job starts
        String busy = fleet.hosts().get(0).host();
        AvroCodec codec = new AvroCodec();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler =
                new Thread(
                        () -> {
                            try (Producer<byte[], byte[]> producer =
                                    LiveRuntime.producer(KAFKA.bootstrapServers())) {
                                // after the fleet's inventory: samples of a known host
                                Thread.sleep(3_000);
                                for (long i = 0; sampling.get(); i++) {
                                    producer.send(
                                            new ProducerRecord<>(
                                                    Topics.HEALTH,
                                                    busy.getBytes(StandardCharsets.UTF_8),
                                                    codec.encode(sample(busy, i))));
                                    if (i % SAMPLES == 0) {
                                        Thread.sleep(10);
                                    }
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "busy-partition");
        sampler.start();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet).kafka(KAFKA.kafka()).fleetFirst(LEAD).start();
                DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {})) {
            sampling.set(false);
            sampler.join();
            CaughtUp.await(KAFKA.bootstrapServers(), "vmres-job");
            long caughtUpAt = runtime.telemetry().ticks();
            await(
                    Duration.ofSeconds(60),
                    () ->
                            Optional.of(runtime.telemetry().ticks())
                                    .filter(t -> t >= caughtUpAt + 3));
            assertThat(late(log.deadLetters())).as("late dead letters").isEmpty();
            assertThat(log.incidents()).as("incidents of a healthy fleet").isEmpty();

            FleetHost victim =
                    fleet.hosts().stream()
                            .filter(h -> !h.spare() && h.bmc())
                            .filter(h -> fleet.vmsOn(h.host()).stream().anyMatch(FleetVm::ha))
                            .findFirst()
                            .orElseThrow();
            fleet.crash(victim.host());
            Incident recovered =
                    await(
                            Duration.ofSeconds(120),
                            () ->
                                    log.incidents().stream()
                                            .filter(i -> i.getHosts().contains(victim.host()))
                                            .filter(i -> i.getState().name().equals("RECOVERED"))
                                            .findFirst(),
                            () -> "incidents " + log.incidents() + "\nalerts " + log.alerts());
            assertThat(recovered.getKind().name()).isEqualTo("HOST_FAILURE");
            assertThat(log.incidents())
                    .as("only the crashed host is declared failed")
                    .allSatisfy(i -> assertThat(i.getHosts()).containsExactly(victim.host()));
            assertThat(late(log.deadLetters())).as("late dead letters").isEmpty();
        }
    }

    private static List<DeadLetter> late(List<DeadLetter> all) {
        return all.stream().filter(d -> d.getReason().startsWith("late event")).toList();
    }

    private static Health sample(String host, long i) {
        return Health.newBuilder()
                .setHost(host)
                .setSensor("inlet_temp_c")
                .setValue(20 + i % 5)
                .setComponent(null)
                .setTs(Instant.now())
                .build();
    }
}
