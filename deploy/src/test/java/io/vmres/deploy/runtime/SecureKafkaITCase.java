package io.vmres.deploy.runtime;

import static io.vmres.deploy.runtime.Await.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.FleetVm;
import io.vmres.connector.sim.Latency;
import io.vmres.connector.sim.Ledger;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.commands.Confirm;
import io.vmres.deploy.runtime.KafkaSecurity.Role;
import io.vmres.schema.Action;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.Incident;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole loop over SASL_SSL with ACLs, each part as its own principal: the broker made by {@code
 * vmres kafka --secure}, the job on a MiniCluster as {@code vmres-job}, the simulated connector as
 * {@code vmres-connector}, the fleet's telemetry as {@code vmres-sim-fleet}, power readings as
 * {@code vmres-power-poller}. A crashed host is recovered; whoever has no credentials, or no ACL
 * for what it does, is refused.
 */
@Tag("slow")
class SecureKafkaITCase {
    private static final Path SECURITY = tempDir();

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA =
            new EmbeddedKafkaExtension(EmbeddedKafka.builder().secure(SECURITY));

    private final AvroCodec codec = new AvroCodec();

    @AfterAll
    static void deleteSecrets() throws IOException {
        try (var files = Files.walk(SECURITY)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void crashedHostIsRecoveredWithEveryPartItsOwnPrincipal() throws Exception {
        EmbeddedKafka kafka = KAFKA.kafka();
        SimulatedFleet fleet =
                SimulatedFleet.builder()
                        .hosts(16)
                        .clusters(1)
                        .hostsPerRack(8)
                        .vmsPerHost(4)
                        .seed(11)
                        .build();
        SimulatedHypervisor hypervisor =
                SimulatedHypervisor.builder(fleet)
                        .latency(Action.MAP_DISKS, Latency.fixed(Duration.ofMillis(100)))
                        .latency(Action.RESTART_VM, Latency.fixed(Duration.ofMillis(300)))
                        .seed(11)
                        .build();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet).kafka(kafka).hypervisor(hypervisor).start();
                DecisionLog log = new DecisionLog(kafka.endpoint(), r -> {})) {
            await(
                    Duration.ofSeconds(90),
                    () -> Optional.of(runtime.telemetry().ticks()).filter(t -> t >= 3));
            FleetHost victim =
                    fleet.hosts().stream()
                            .filter(h -> !h.spare() && h.bmc())
                            .findFirst()
                            .orElseThrow();
            Set<String> ha =
                    fleet.vmsOn(victim.host()).stream()
                            .filter(FleetVm::ha)
                            .map(FleetVm::vm)
                            .collect(Collectors.toSet());
            assertThat(ha).isNotEmpty();

            // The power poller's principal writes power readings: a reading of a live host, on.
            FleetHost alive =
                    fleet.hosts().stream()
                            .filter(h -> !h.host().equals(victim.host()) && h.bmc())
                            .findFirst()
                            .orElseThrow();
            RecordMetadata written =
                    send(
                            kafka.endpoint(Role.POWER),
                            Topics.POWER,
                            alive.host(),
                            power(alive.host(), PowerState.on));
            assertThat(written.offset()).isNotNegative();

            fleet.crash(victim.host());
            Incident recovered =
                    await(
                            Duration.ofSeconds(120),
                            () ->
                                    log.incidents().stream()
                                            .filter(i -> i.getHosts().contains(victim.host()))
                                            .filter(i -> i.getState().name().equals("RECOVERED"))
                                            .findFirst());
            List<Command> restarts =
                    log.commands().stream()
                            .filter(c -> c.getIncidentId().equals(recovered.getIncidentId()))
                            .filter(c -> c.getAction() == Action.RESTART_VM)
                            .toList();
            assertThat(restarts)
                    .as("restarts; alerts %s", log.alerts())
                    .extracting(Command::getVm)
                    .containsExactlyInAnyOrderElementsOf(ha);
            Map<String, Long> restartsPerVm =
                    fleet.ledger().entries().stream()
                            .filter(
                                    e ->
                                            e.action() == Action.RESTART_VM
                                                    && e.status() == Outcome.Status.SUCCEEDED)
                            .collect(
                                    Collectors.groupingBy(Ledger.Entry::vm, Collectors.counting()));
            assertThat(restartsPerVm).containsOnlyKeys(ha);
            assertThat(restartsPerVm.values()).allMatch(n -> n == 1L);
            // every record was read as valid input: the only dead letters are the beats that came
            // before their host's inventory record (another partition), as on any live start
            assertThat(log.deadLetters())
                    .allSatisfy(d -> assertThat(d.getReason()).startsWith("unknown host"));
            assertThat(runtime.job().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        }
    }

    @Test
    void aClientWithoutValidCredentialsIsRefused() {
        EmbeddedKafka kafka = KAFKA.kafka();
        Map<String, String> props = new java.util.HashMap<>(kafka.endpoint(Role.JOB).properties());
        props.put(
                "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"vmres-job\" password=\"not-the-password\";");
        KafkaEndpoint wrongPassword = new KafkaEndpoint(kafka.bootstrapServers(), props);
        assertThatThrownBy(() -> listTopics(wrongPassword))
                .hasRootCauseInstanceOf(SaslAuthenticationException.class);

        // no credentials at all: a plain-text client gets no answer from the SASL_SSL listener
        KafkaEndpoint plain = KafkaEndpoint.of(kafka.bootstrapServers());
        assertThatThrownBy(() -> listTopics(plain)).hasRootCauseInstanceOf(TimeoutException.class);
    }

    @Test
    void aConnectorCannotWritePowerReadings() {
        EmbeddedKafka kafka = KAFKA.kafka();
        assertThatThrownBy(
                        () ->
                                send(
                                        kafka.endpoint(Role.CONNECTOR),
                                        Topics.POWER,
                                        "h1",
                                        power("h1", PowerState.off)))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void theDashboardCannotWrite() {
        EmbeddedKafka kafka = KAFKA.kafka();
        for (String topic : List.of(Topics.REQUESTS, Topics.COMMANDS, Topics.COMMAND_RESULTS)) {
            assertThatThrownBy(
                            () ->
                                    send(
                                            kafka.endpoint(Role.DASHBOARD),
                                            topic,
                                            "h1",
                                            power("h1", PowerState.off)))
                    .as(topic)
                    // a topic it reads: its producer may not even start (no write anywhere)
                    .hasRootCauseInstanceOf(AuthorizationException.class);
        }
    }

    @Test
    void anOperatorsConfirmationNamesItsPrincipal() throws Exception {
        EmbeddedKafka kafka = KAFKA.kafka();
        Confirm.Sent sent =
                Confirm.send(
                        kafka.endpoint(Role.OPERATOR),
                        "rack1-host03",
                        "cords pulled",
                        "alice",
                        Clock.systemUTC(),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        OperatorConfirm read = (OperatorConfirm) readOne(kafka.endpoint(), sent);
        assertThat(read.getRequestedBy()).isEqualTo("User:vmres-operator (alice)");

        // the job may not write requests: only operators' principals can confirm a host down
        assertThatThrownBy(
                        () -> send(kafka.endpoint(Role.JOB), Topics.REQUESTS, "rack1-host03", read))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void everyRoleHasAClientPropertiesFileThatAuthenticates() throws Exception {
        EmbeddedKafka kafka = KAFKA.kafka();
        for (Role role : Role.values()) {
            Path file = SECURITY.resolve(role.fileName());
            Map<String, String> p = KafkaEndpoint.read(file);
            assertThat(p).containsEntry("bootstrap.servers", kafka.bootstrapServers());
            KafkaEndpoint fromFile = KafkaEndpoint.load(kafka.bootstrapServers(), file);
            assertThat(fromFile.saslUser()).contains(role.user());
            // authenticated: the cluster answers (what it lists depends on the role's ACLs)
            assertThat(listTopics(fromFile)).as(role.name()).isNotNull();
        }
    }

    private static Set<String> listTopics(KafkaEndpoint kafka) throws Exception {
        try (Admin admin =
                Admin.create(
                        kafka.client(
                                Map.of(
                                        "request.timeout.ms", 3_000,
                                        "default.api.timeout.ms", 5_000)))) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private RecordMetadata send(KafkaEndpoint kafka, String topic, String key, SpecificRecord value)
            throws Exception {
        try (Producer<byte[], byte[]> p =
                new KafkaProducer<>(
                        kafka.client(
                                Map.of(
                                        "max.block.ms", 10_000,
                                        "delivery.timeout.ms", 10_000,
                                        "request.timeout.ms", 5_000)),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            return p.send(
                            new ProducerRecord<>(
                                    topic,
                                    key.getBytes(StandardCharsets.UTF_8),
                                    codec.encode(value)))
                    .get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private SpecificRecord readOne(KafkaEndpoint kafka, Confirm.Sent sent)
            throws AvroCodec.BadRecordException {
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        kafka.client(Map.of()),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(sent.topic(), sent.partition());
            c.assign(List.of(tp));
            c.seek(tp, sent.offset());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    return codec.decode(r.value());
                }
            }
            throw new AssertionError("the confirmation was not read back");
        }
    }

    private static Power power(String host, PowerState state) {
        return Power.newBuilder().setHost(host).setState(state).setTs(Instant.now()).build();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("vmres-kafka-secure-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
