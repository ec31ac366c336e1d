package io.vmres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.job.live.LiveOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmresJobOptionsTest {

    @Test
    void defaultsNeedOnlyTheBootstrap() throws Exception {
        LiveOptions o =
                VmresJob.options(new String[] {"--bootstrap", "k:9092", "--insecure-unsigned"});
        assertThat(o.bootstrapServers()).isEqualTo("k:9092");
        assertThat(o.exactlyOnce()).isTrue();
        assertThat(o.groupId()).isEqualTo("vmres-job");
        assertThat(o.transactionalIdPrefix()).isEqualTo("vmres-job");
        assertThat(o.kafkaProperties()).isEmpty();
    }

    @Test
    void kafkaPropertiesGroupAndPrefixReachEveryClient(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kafka.properties");
        Files.writeString(
                file, "security.protocol=SASL_SSL\ntransaction.timeout.ms=300000\n# comment\n");
        LiveOptions o =
                VmresJob.options(
                        new String[] {
                            "--bootstrap",
                            "k:9092",
                            "--kafka-properties",
                            file.toString(),
                            "--group-id",
                            "vmres-prod",
                            "--transactional-id-prefix",
                            "vmres-prod-tx",
                            "--set",
                            "heartbeatTimeout=PT5S",
                            "--at-least-once",
                            "--signing-keys",
                            "/etc/vmres/keys/job.keys"
                        });
        assertThat(o.kafkaProperties())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "security.protocol", "SASL_SSL",
                                "transaction.timeout.ms", "300000"));
        assertThat(o.groupId()).isEqualTo("vmres-prod");
        assertThat(o.transactionalIdPrefix()).isEqualTo("vmres-prod-tx");
        assertThat(o.exactlyOnce()).isFalse();
        assertThat(o.signingKeys()).isEqualTo("/etc/vmres/keys/job.keys");
        assertThat(o.settings().heartbeatTimeoutMs()).isEqualTo(Duration.ofSeconds(5).toMillis());
        // each client gets its own copy: the job adds its own keys to it
        o.clientProperties().setProperty("isolation.level", "read_committed");
        assertThat(o.clientProperties()).doesNotContainKey("isolation.level");
    }

    @Test
    void withoutAKeysFileTheJobRefusesToStartUnlessToldItMayRunUnsigned() throws Exception {
        assertThatThrownBy(() -> VmresJob.options(new String[] {"--bootstrap", "k:9092"}))
                .hasMessageContaining("--signing-keys FILE is required");
        assertThat(
                        VmresJob.options(
                                        new String[] {
                                            "--bootstrap", "k:9092", "--insecure-unsigned"
                                        })
                                .signingKeys())
                .isNull();
    }

    @Test
    void aMissingValueOrBootstrapIsTold() {
        assertThatThrownBy(() -> VmresJob.options(new String[] {"--group-id"}))
                .hasMessageContaining("--group-id needs a value");
        assertThatThrownBy(() -> VmresJob.options(new String[] {"--group-id", "g"}))
                .hasMessageContaining("usage");
    }

    @Test
    void restartsBackOffExponentiallyAndAnOperatorMayChooseOtherwise() throws Exception {
        org.apache.flink.configuration.Configuration d =
                VmresJob.jobConfiguration(Duration.ofSeconds(1));
        assertThat(d.get(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
        assertThat(
                        d.get(
                                org.apache.flink.configuration.RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(1));

        String[] args = {
            "--bootstrap",
            "k:9092",
            "--insecure-unsigned",
            "--flink",
            "restart-strategy.type=failure-rate",
            "--flink",
            "restart-strategy.failure-rate.max-failures-per-interval=3"
        };
        VmresJob.options(args); // --flink is a known argument
        org.apache.flink.configuration.Configuration c =
                VmresJob.jobConfiguration(Duration.ofSeconds(1), VmresJob.flinkSettings(args));
        assertThat(c.get(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("failure-rate");
        assertThat(
                        c.get(
                                org.apache.flink.configuration.RestartStrategyOptions
                                        .RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL))
                .isEqualTo(3);
        assertThatThrownBy(() -> VmresJob.flinkSettings(new String[] {"--flink", "no-equals-sign"}))
                .hasMessageContaining("key=value");
    }
}
