package io.vmres.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaEndpointTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"vmres-operator\" password=\"s3cret\";";

    @Test
    void theClientsOwnSettingsWinOverTheFileAndTheServersOverTheFilesServers(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(
                file,
                "bootstrap.servers=elsewhere:9092\n"
                        + "security.protocol=SASL_SSL\n"
                        + "isolation.level=read_uncommitted\n"
                        + "request.timeout.ms = 5000 \n",
                StandardCharsets.UTF_8);
        KafkaEndpoint kafka = KafkaEndpoint.load("k1:9093", file);

        Properties p = kafka.client(Map.of("isolation.level", "read_committed"));

        assertThat(p)
                .containsEntry("bootstrap.servers", "k1:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("request.timeout.ms", "5000");
        assertThat(kafka.properties()).doesNotContainKey("bootstrap.servers");
        // a fresh copy each time: one client's settings never leak into the next
        p.put("group.id", "x");
        assertThat(kafka.client(Map.of())).doesNotContainKey("group.id");
    }

    @Test
    void theSaslUserIsTheJaasUserNameOnlyOverSasl() {
        assertThat(
                        new KafkaEndpoint(
                                        "k:1",
                                        Map.of(
                                                "security.protocol",
                                                "SASL_SSL",
                                                "sasl.jaas.config",
                                                JAAS))
                                .saslUser())
                .contains("vmres-operator");
        assertThat(new KafkaEndpoint("k:1", Map.of("sasl.jaas.config", JAAS)).saslUser()).isEmpty();
        assertThat(KafkaEndpoint.of("k:1").saslUser()).isEmpty();
    }

    @Test
    void itsTextNamesNoSecret() {
        KafkaEndpoint kafka =
                new KafkaEndpoint(
                        "k:1", Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", JAAS));
        assertThat(kafka.toString()).contains("k:1", "sasl.jaas.config").doesNotContain("s3cret");
    }
}
