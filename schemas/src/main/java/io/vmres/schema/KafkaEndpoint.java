package io.vmres.schema;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a Kafka is and how to talk to it: the bootstrap servers and the client properties of a
 * {@code --kafka-properties} file (security: {@code security.protocol}, SASL, TLS trust and key
 * stores; timeouts). Every Kafka client vmres builds, consumer, producer or admin, takes its
 * settings from {@link #client(Map)}: the file's properties first, then the servers, then the
 * client's own settings, which win (a consumer of the job's output keeps {@code
 * isolation.level=read_committed} whatever the file says).
 *
 * <pre>{@code
 * KafkaEndpoint kafka = KafkaEndpoint.load("kafka-1:9093", Path.of("operator.properties"));
 * try (var consumer = new KafkaConsumer<>(kafka.client(Map.of("isolation.level", "read_committed")),
 *         new ByteArrayDeserializer(), new ByteArrayDeserializer())) { ... }
 * }</pre>
 *
 * @param bootstrap the bootstrap servers, {@code host:port[,host:port...]}
 * @param properties the file's client properties, without {@code bootstrap.servers}
 */
public record KafkaEndpoint(String bootstrap, Map<String, String> properties) {
    /** The key of the servers in a client properties file. */
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";

    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    public KafkaEndpoint {
        Objects.requireNonNull(bootstrap, "bootstrap");
        // sorted: the same file gives the same configuration (and the same job graph)
        TreeMap<String, String> p = new TreeMap<>(properties);
        p.remove(BOOTSTRAP_SERVERS);
        properties = java.util.Collections.unmodifiableMap(p);
    }

    /** A Kafka reached in plain text, without authentication. */
    public static KafkaEndpoint of(String bootstrap) {
        return new KafkaEndpoint(bootstrap, Map.of());
    }

    /**
     * The servers with the client properties of {@code file} (null: none). A {@code
     * bootstrap.servers} in the file is ignored here: {@code bootstrap} names the servers.
     */
    public static KafkaEndpoint load(String bootstrap, Path file) {
        return new KafkaEndpoint(bootstrap, file == null ? Map.of() : read(file));
    }

    /** The same servers with the client properties of {@code file} (null: none). */
    public KafkaEndpoint withProperties(Path file) {
        return load(bootstrap, file);
    }

    /**
     * The client properties of a Java properties file, values trimmed.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Kafka client properties " + file, e);
        }
        Map<String, String> m = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return m;
    }

    /**
     * The settings of one client: the file's properties, then {@code bootstrap.servers}, then
     * {@code own} (the client's own settings win). A fresh copy each time.
     */
    public Properties client(Map<String, ?> own) {
        Properties p = new Properties();
        p.putAll(properties);
        p.put(BOOTSTRAP_SERVERS, bootstrap);
        p.putAll(own);
        return p;
    }

    /**
     * The user this endpoint authenticates as with SASL ({@code username} of {@code
     * sasl.jaas.config}, as the SCRAM and PLAIN login modules take it), or empty when it does not
     * authenticate with a user name.
     */
    public Optional<String> saslUser() {
        String protocol = properties.getOrDefault("security.protocol", "PLAINTEXT");
        String jaas = properties.get("sasl.jaas.config");
        if (!protocol.startsWith("SASL_") || jaas == null) {
            return Optional.empty();
        }
        Matcher m = JAAS_USER.matcher(jaas);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The servers, then the names (never the values) of the properties: secrets stay out of logs.
     */
    @Override
    public String toString() {
        return bootstrap + (properties.isEmpty() ? "" : " " + properties.keySet());
    }
}
