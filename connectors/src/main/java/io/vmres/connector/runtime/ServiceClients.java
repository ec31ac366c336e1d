package io.vmres.connector.runtime;

import io.vmres.schema.KafkaEndpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings of the Kafka clients a {@link ConnectorService} builds for itself: the client
 * properties of its Kafka (security), under the service's own settings.
 */
final class ServiceClients {
    private ServiceClients() {}

    static Properties consumerConfig(KafkaEndpoint kafka, ConnectorOptions o) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, o.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, o.clientId() + "-consumer");
        // Commands go out in Kafka transactions: an aborted one must never run.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group reads from the start; commands older than the timeout are answered, not run.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.putAll(o.consumerProperties());
        return kafka.client(p);
    }

    static Properties producerConfig(KafkaEndpoint kafka, ConnectorOptions o) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, o.clientId() + "-producer");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        if (o.exactlyOnce()) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, o.transactionalId());
            // A replica that dies with a transaction open holds read_committed readers back this
            // long, unless it comes back first (its restart aborts the transaction at once).
            p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
        }
        p.putAll(o.producerProperties());
        return kafka.client(p);
    }
}
