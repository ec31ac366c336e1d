package io.vmres.connector.ipmi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.runtime.TransientException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IPMI fencer against OpenIPMI's BMC simulator {@code ipmi_sim} on loopback (Debian's openipmi
 * and ipmitool, installed by {@code bin/setup --with ipmi}), over the real RMCP+ protocol. The
 * simulated chassis keeps its power in a file, which the test reads to check the host is off.
 */
class IpmiFencerTest {
  @TempDir Path dir;
  private Process sim;
  private int port;

  @BeforeAll
  static void toolsInstalled() {
    assumeTrue(
        onPath("ipmi_sim") && onPath("ipmitool"),
        "ipmi_sim or ipmitool is not installed (run bin/setup --with ipmi)");
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  @BeforeEach
  void startBmc() throws Exception {
    port = freeUdpPort();
    Path chassis = dir.resolve("chassis");
    Files.writeString(
        chassis,
        String.join(
            "\n",
            "#!/bin/sh",
            "# ipmi_sim calls: chassis MC get|set PARMS; the power is kept in a file",
            "d=$(dirname \"$0\"); shift; op=$1; shift",
            "case \"$op\" in",
            "  get) for p in \"$@\"; do",
            "         case \"$p\" in power) echo \"power:$(cat \"$d/power\")\" ;; esac",
            "       done ;;",
            "  set) while [ $# -gt 1 ]; do",
            "         case \"$1\" in power) echo \"$2\" > \"$d/power\" ;; esac; shift 2",
            "       done ;;",
            "esac",
            "exit 0",
            ""));
    Files.setPosixFilePermissions(chassis, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(dir.resolve("power"), "1\n");
    Files.writeString(
        dir.resolve("lan.conf"),
        String.join(
            "\n",
            "name \"vmres-test\"",
            "set_working_mc 0x20",
            "  startlan 1",
            "    addr 127.0.0.1 " + port,
            "    priv_limit admin",
            "    allowed_auths_callback md5",
            "    allowed_auths_user md5",
            "    allowed_auths_operator md5",
            "    allowed_auths_admin md5",
            "    guid a123456789abcdefa123456789abcdef",
            "  endlan",
            "  chassis_control \"" + chassis + " 0x20\"",
            "  user 2 true \"admin\" \"s3cret\" admin 10 md5",
            ""));
    Files.writeString(
        dir.resolve("bmc.emu"),
        String.join(
            "\n",
            "mc_setbmc 0x20",
            "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr",
            "mc_enable 0x20",
            ""));
    Files.createDirectories(dir.resolve("state"));
    sim =
        new ProcessBuilder(
                "ipmi_sim",
                "-c",
                dir.resolve("lan.conf").toString(),
                "-f",
                dir.resolve("bmc.emu").toString(),
                "-s",
                dir.resolve("state").toString(),
                "-n")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("ipmi_sim.log").toFile())
            .start();
    // Ready when it answers a power reading.
    IpmiFencer probe = fencer(port, "s3cret");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      try {
        probe.power("h1");
        return;
      } catch (TransientException e) {
        if (System.nanoTime() > deadline || !sim.isAlive()) {
          throw new IllegalStateException(
              "ipmi_sim did not come up: " + Files.readString(dir.resolve("ipmi_sim.log")), e);
        }
        Thread.sleep(100);
      }
    }
  }

  @AfterEach
  void stopBmc() throws InterruptedException {
    if (sim != null) {
      sim.destroy();
      if (!sim.waitFor(5, TimeUnit.SECONDS)) {
        sim.destroyForcibly();
      }
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
    try (DatagramSocket s = new DatagramSocket(0)) {
      return s.getLocalPort();
    }
  }

  private String chassisPower() throws IOException {
    return Files.readString(dir.resolve("power")).trim();
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
  void fenceOfAnUnreachableBmcFailsWithinItsTimeout() throws Exception {
    IpmiFencer nobody = fencer(freeUdpPort(), "s3cret");
    long start = System.nanoTime();
    try {
      Outcome out = nobody.fence(new Request.Fence("f2", "h1"), Duration.ofSeconds(4));
      assertThat(out.isSuccess()).isFalse();
    } catch (TransientException e) {
      // Nothing was changed: the service retries it while the command has time, then fails it.
      assertThat(e.getMessage()).contains("BMC of h1");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
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
  void onlyFences() throws Exception {
    Outcome out =
        fencer(port, "s3cret")
            .restart(new Request.Restart("r1", "vm1", "h1", "h2"), Duration.ofSeconds(1));
    assertThat(out.status()).isEqualTo(Outcome.Status.FAILED);
  }
}
