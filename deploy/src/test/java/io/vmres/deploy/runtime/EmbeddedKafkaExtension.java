package io.vmres.deploy.runtime;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link EmbeddedKafka} per test class and stops it after the last test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
 *
 * @Test
 * void something() {
 *   props.put("bootstrap.servers", KAFKA.bootstrapServers());
 * }
 * }</pre>
 *
 * <p>With {@code @ExtendWith(EmbeddedKafkaExtension.class)} instead, a test method receives the
 * broker as an {@code EmbeddedKafka} parameter.
 */
public class EmbeddedKafkaExtension
        implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final EmbeddedKafka.Builder builder;
    private EmbeddedKafka kafka;

    /** A broker with the defaults: a free port, a temporary folder, 4 partitions per topic. */
    public EmbeddedKafkaExtension() {
        this(EmbeddedKafka.builder());
    }

    /** A broker with the given settings. */
    public EmbeddedKafkaExtension(EmbeddedKafka.Builder builder) {
        this.builder = builder;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = builder.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    /** The running broker; only between the class's first and last test. */
    public EmbeddedKafka kafka() {
        if (kafka == null) {
            throw new IllegalStateException(
                    "the embedded Kafka runs only while the test class runs");
        }
        return kafka;
    }

    /** Shorthand for {@code kafka().bootstrapServers()}. */
    public String bootstrapServers() {
        return kafka().bootstrapServers();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return kafka();
    }
}
