package io.vmres.deploy.commands;

import io.vmres.schema.KafkaEndpoint;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A brief look at a Kafka before a command relies on it: a Kafka client that cannot reach its
 * brokers retries for minutes, or without end, and says nothing; a command should say at once what
 * is wrong.
 */
final class KafkaProbe {
    /** How long a command waits for the brokers' first answer. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private KafkaProbe() {}

    /**
     * The names of the topics of {@code kafka}, asked with its client properties as {@code
     * clientId}.
     *
     * @throws IllegalStateException when no broker answers within {@link #TIMEOUT}
     */
    static Set<String> topics(KafkaEndpoint kafka, String clientId) throws InterruptedException {
        int ms = (int) TIMEOUT.toMillis();
        try (Admin admin =
                Admin.create(
                        kafka.client(
                                Map.of(
                                        AdminClientConfig.CLIENT_ID_CONFIG,
                                        clientId,
                                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                        ms,
                                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                        ms)))) {
            return admin.listTopics().names().get(ms + 1_000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot reach the Kafka at "
                            + kafka.bootstrap()
                            + " (no answer within "
                            + TIMEOUT.toSeconds()
                            + " s): is it running, and is --bootstrap right?",
                    e);
        }
    }
}
