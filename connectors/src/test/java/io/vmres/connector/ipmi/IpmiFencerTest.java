package io.vmres.connector.ipmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.runtime.TransientException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IPMI fencer against OpenIPMI's BMC simulator {@code ipmi_sim} on loopback (Debian's openipmi
 * and ipmitool, installed by {@code bin/setup --with ipmi}), over the real RMCP+ protocol, through
 * {@link IpmiSimulator}, whose chassis keeps its power in a file: the test reads it to check.
 */
class IpmiFencerTest {
    @TempDir Path dir;
    private IpmiSimulator sim;
    private int port;

    @BeforeAll
    static void toolsInstalled() {
        assumeTrue(
                IpmiSimulator.available(),
                "ipmi_sim or ipmitool is not installed (run bin/setup --with ipmi)");
    }

    @BeforeEach
    void startBmc() throws Exception {
        sim = IpmiSimulator.start(dir, "admin", "s3cret");
        port = sim.port();
    }

    @AfterEach
    void stopBmc() throws InterruptedException {
        if (sim != null) {
            sim.close();
        }
    }

    private static IpmiFencer fencer(int port, String password) {
        return IpmiFencer.builder()
                .bmc("h1", "127.0.0.1", port, "admin", password)
                .callTimeout(Duration.ofSeconds(3))
                .pollInterval(Duration.ofMillis(100))
                .build();
    }

    private static int freeUdpPort() throws IOException {
        return IpmiSimulator.freeUdpPort();
    }

    private String chassisPower() {
        return sim.poweredOn() ? "1" : "0";
    }

    @Test
    void hostIsFencedOverIpmiAndVerifiedOff() throws Exception {
        IpmiFencer ipmi = fencer(port, "s3cret");
        assertThat(ipmi.power("h1")).isEqualTo(IpmiFencer.Power.ON);

        Outcome out = ipmi.fence(new Request.Fence("f1", "h1"), Duration.ofSeconds(20));

        assertThat(out.isSuccess()).as(out.detail()).isTrue();
        assertThat(out.detail()).isEqualTo("powered off, verified off");
        assertThat(chassisPower()).isEqualTo("0");
        assertThat(ipmi.power("h1")).isEqualTo(IpmiFencer.Power.OFF);
        // Again (a redelivery, a command in doubt): it reads off, and says so.
        Outcome again = ipmi.runInDoubt(new Request.Fence("f1", "h1"), Duration.ofSeconds(20));
        assertThat(again.isSuccess()).isTrue();
        assertThat(again.detail()).contains("already reads off");
    }

    @Test
    void fenceOfAnUnreachableBmcNeverSucceeds() throws Exception {
        IpmiFencer nobody = fencer(freeUdpPort(), "s3cret");
        try {
            Outcome out = nobody.fence(new Request.Fence("f2", "h1"), Duration.ofSeconds(4));
            assertThat(out.isSuccess()).isFalse();
        } catch (TransientException e) {
            // Nothing was changed: the service retries it while the command has time, then fails
            // it.
            assertThat(e.getMessage()).contains("BMC of h1");
        }
        assertThat(chassisPower()).isEqualTo("1");
    }

    @Test
    void theServiceAnswersAFenceOfAnUnreachableBmcFailedWithinItsTimeout() throws Exception {
        org.apache.kafka.common.TopicPartition tp =
                new org.apache.kafka.common.TopicPartition(io.vmres.schema.Topics.COMMANDS, 0);
        io.vmres.connector.testing.PacedMockConsumer consumer =
                new io.vmres.connector.testing.PacedMockConsumer();
        org.apache.kafka.clients.producer.MockProducer<byte[], byte[]> producer =
                new org.apache.kafka.clients.producer.MockProducer<>(
                        true,
                        null,
                        new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer());
        consumer.updateBeginningOffsets(java.util.Map.of(tp, 0L));
        consumer.schedulePollTask(() -> consumer.rebalance(java.util.List.of(tp)));
        io.vmres.connector.runtime.ConnectorService service =
                new io.vmres.connector.runtime.ConnectorService(
                                consumer,
                                producer,
                                fencer(freeUdpPort(), "s3cret"),
                                io.vmres.connector.runtime.ConnectorOptions.builder()
                                        .commandTimeout(Duration.ofSeconds(6))
                                        .retryBackoff(Duration.ofMillis(200), Duration.ofSeconds(1))
                                        .build())
                        .start();
        io.vmres.schema.AvroCodec codec = new io.vmres.schema.AvroCodec();
        try {
            io.vmres.connector.testing.Eventually.await(
                    "assigned", () -> consumer.assignment().contains(tp));
            io.vmres.schema.Command fence =
                    io.vmres.schema.Command.newBuilder()
                            .setCommandId("fence-h1")
                            .setIncidentId("i1")
                            .setAction(io.vmres.schema.Action.FENCE_HOST)
                            .setHost("h1")
                            .setCluster("c1")
                            .setAttempt(1)
                            .setTs(java.time.Instant.now())
                            .build();
            consumer.addRecord(
                    new org.apache.kafka.clients.consumer.ConsumerRecord<>(
                            tp.topic(), 0, 0L, "h1".getBytes(), codec.encode(fence)));
            io.vmres.connector.testing.Eventually.await(
                    "answered", Duration.ofSeconds(15), () -> !producer.history().isEmpty());
            io.vmres.schema.CommandResult result =
                    (io.vmres.schema.CommandResult) codec.decode(producer.history().get(0).value());
            assertThat(result.getStatus()).isEqualTo(io.vmres.schema.CommandStatus.FAILED);
            assertThat(result.getDetail()).contains("no time left to retry", "BMC of h1");
            assertThat(service.counters().retries()).isPositive();
            assertThat(chassisPower()).isEqualTo("1");
        } finally {
            service.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void wrongPasswordNeverFencesNorSucceeds() throws Exception {
        IpmiFencer wrong = fencer(port, "wrong");
        try {
            Outcome out = wrong.fence(new Request.Fence("f3", "h1"), Duration.ofSeconds(4));
            assertThat(out.isSuccess()).isFalse();
        } catch (TransientException e) {
            assertThat(e.getMessage()).contains("BMC of h1");
        }
        assertThat(chassisPower()).isEqualTo("1");
    }

    @Test
    void powerReadingsArePublishedOnUnknownWhenTheBmcIsSilentAndOffOnceFenced() throws Exception {
        IpmiFencer ipmi =
                IpmiFencer.builder()
                        .bmc("h1", "127.0.0.1", port, "admin", "s3cret")
                        .bmc("h2", "127.0.0.1", freeUdpPort(), "admin", "s3cret")
                        .callTimeout(Duration.ofSeconds(3))
                        .build();
        org.apache.kafka.clients.producer.MockProducer<byte[], byte[]> producer =
                new org.apache.kafka.clients.producer.MockProducer<>(
                        true,
                        null,
                        new org.apache.kafka.common.serialization.ByteArraySerializer(),
                        new org.apache.kafka.common.serialization.ByteArraySerializer());
        try (PowerPoller poller =
                new PowerPoller(
                        ipmi,
                        ipmi.hosts(),
                        producer,
                        Duration.ofMillis(200),
                        2,
                        java.time.Clock.systemUTC())) {
            io.vmres.connector.testing.Eventually.await(
                    "h1 on, h2 unknown",
                    Duration.ofSeconds(20),
                    () ->
                            readings(producer, "h1").contains("on")
                                    && readings(producer, "h2").contains("unknown"));
            assertThat(readings(producer, "h1")).doesNotContain("off", "unknown");

            assertThat(
                            ipmi.fence(new Request.Fence("f9", "h1"), Duration.ofSeconds(20))
                                    .isSuccess())
                    .isTrue();
            io.vmres.connector.testing.Eventually.await(
                    "h1 reads off",
                    Duration.ofSeconds(20),
                    () -> readings(producer, "h1").contains("off"));
            assertThat(poller.published()).isGreaterThanOrEqualTo(3);
        }
    }

    private static java.util.List<String> readings(
            org.apache.kafka.clients.producer.MockProducer<byte[], byte[]> producer, String host) {
        io.vmres.schema.AvroCodec codec = new io.vmres.schema.AvroCodec();
        java.util.List<String> out = new java.util.ArrayList<>();
        for (var r : producer.history()) {
            if (r.topic().equals(io.vmres.schema.Topics.POWER)) {
                try {
                    io.vmres.schema.Power p = (io.vmres.schema.Power) codec.decode(r.value());
                    if (p.getHost().equals(host)) {
                        out.add(p.getState().name());
                    }
                } catch (io.vmres.schema.AvroCodec.BadRecordException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    @Test
    void onlyFences() throws Exception {
        Outcome out =
                fencer(port, "s3cret")
                        .restart(
                                new Request.Restart("r1", "vm1", "h1", "h2"),
                                Duration.ofSeconds(1));
        assertThat(out.status()).isEqualTo(Outcome.Status.FAILED);
    }
}
