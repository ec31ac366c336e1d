package io.vmres.connector.runtime;

import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.sign.KeysFile;
import io.vmres.schema.sign.RecordSigning;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configuration file of {@code vmres connector --config FILE}: Java properties, the service's
 * settings at the top level ({@code group}, {@code max.in.flight}...) and each connector's under
 * its prefix ({@code libvirt.}, {@code ipmi.}, {@code sim.}). Durations are ISO-8601 ({@code
 * PT30S}) or a number with {@code ms}, {@code s} or {@code m}. docs/connectors.md lists every key.
 */
public final class ConnectorSettings {
    /** The key of the Kafka client properties file of the service's clients. */
    public static final String KAFKA_PROPERTIES = "kafka.properties";

    private final Map<String, String> values;

    private ConnectorSettings(Map<String, String> values) {
        this.values = values;
    }

    /** No file: every default. */
    public static ConnectorSettings empty() {
        return new ConnectorSettings(new TreeMap<>());
    }

    public static ConnectorSettings of(Map<String, String> values) {
        return new ConnectorSettings(new TreeMap<>(values));
    }

    public static ConnectorSettings load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> m = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k).trim()));
        return new ConnectorSettings(m);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isEmpty());
    }

    public String get(String key, String dflt) {
        return get(key).orElse(dflt);
    }

    /** A value that must be there. */
    public String require(String key) {
        return get(key).orElseThrow(() -> new IllegalArgumentException("missing setting " + key));
    }

    public int getInt(String key, int dflt) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a whole number");
        }
    }

    public boolean getBoolean(String key, boolean dflt) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(key + ": '" + v + "' is not true or false");
    }

    public Duration getDuration(String key, Duration dflt) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        return duration(key, v);
    }

    static Duration duration(String key, String v) {
        String s = v.toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("pt")) {
                return Duration.parse(v);
            } else if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
            } else if (s.endsWith("s")) {
                return Duration.ofMillis(
                        Math.round(
                                Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 1000));
            } else if (s.endsWith("m")) {
                return Duration.ofSeconds(
                        Long.parseLong(s.substring(0, s.length() - 1).trim()) * 60);
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // fall through
        }
        throw new IllegalArgumentException(
                key + ": '" + v + "' is not a duration (PT30S, 500ms, 30s)");
    }

    /**
     * The Kafka of the service's clients: the client properties given on the command line ({@code
     * --kafka-properties}) if any, else those of the file named by {@code kafka.properties}.
     */
    public KafkaEndpoint kafka(KafkaEndpoint commandLine) {
        if (!commandLine.properties().isEmpty()) {
            return commandLine;
        }
        return get(KAFKA_PROPERTIES)
                .map(f -> KafkaEndpoint.load(commandLine.bootstrap(), Path.of(f)))
                .orElse(commandLine);
    }

    /**
     * The Kafka of another client of the same process, one that writes as another principal (the
     * simulated fleet's telemetry, a connector's power readings): the client properties of the file
     * named by {@code key}, else those of {@link #kafka(KafkaEndpoint)}.
     */
    public KafkaEndpoint kafka(String key, KafkaEndpoint commandLine) {
        return get(key).map(f -> KafkaEndpoint.load(commandLine.bootstrap(), Path.of(f)))
                .orElseGet(() -> kafka(commandLine));
    }

    /**
     * The names found in keys {@code PREFIX<name>.SUFFIX}, sorted: {@code names("libvirt.host.",
     * ".uri")} gives the hosts of a libvirt connector.
     */
    public TreeSet<String> names(String prefix, String suffix) {
        TreeSet<String> out = new TreeSet<>();
        for (String k : values.keySet()) {
            if (k.startsWith(prefix)
                    && k.endsWith(suffix)
                    && k.length() > prefix.length() + suffix.length()) {
                out.add(k.substring(prefix.length(), k.length() - suffix.length()));
            }
        }
        return out;
    }

    /**
     * The service's options: {@code group}, {@code client.id}, {@code transactional.id}, {@code
     * max.in.flight}, {@code max.in.flight.per.target}, {@code max.queued}, {@code
     * command.timeout}, {@code close.timeout}, {@code exactly.once} (default true), {@code
     * ledger.topic}, {@code ledger.retention}, {@code ledger.load.timeout}, {@code retry.backoff},
     * {@code retry.backoff.max}, {@code settle.timeout}, {@code job.command.timeout}, {@code
     * signing.keys.file} (commands verified, results signed: docs/security.md), {@code
     * command.max.age}, {@code command.clock.skew}.
     *
     * @throws IllegalArgumentException for a bad value, and when {@code command.timeout} plus
     *     {@code settle.timeout} is not shorter than {@code job.command.timeout}: the connector
     *     refuses to start rather than answer after the job gave up
     */
    public ConnectorOptions options(String defaultGroup) {
        ConnectorOptions d = ConnectorOptions.defaults();
        String group = get("group", defaultGroup);
        ConnectorOptions.Builder b =
                ConnectorOptions.builder()
                        .groupId(group)
                        .clientId(get("client.id", group))
                        .maxInFlight(getInt("max.in.flight", d.maxInFlight()))
                        .maxInFlightPerTarget(
                                getInt("max.in.flight.per.target", d.maxInFlightPerTarget()))
                        .maxQueued(getInt("max.queued", d.maxQueued()))
                        .commandTimeout(getDuration("command.timeout", d.commandTimeout()))
                        .closeTimeout(getDuration("close.timeout", d.closeTimeout()))
                        .exactlyOnce(getBoolean("exactly.once", true))
                        .ledgerTopic(get("ledger.topic", d.ledgerTopic()))
                        .ledgerRetention(getDuration("ledger.retention", d.ledgerRetention()))
                        .ledgerLoadTimeout(
                                getDuration("ledger.load.timeout", d.ledgerLoadTimeout()))
                        .settleTimeout(getDuration("settle.timeout", d.settleTimeout()))
                        .jobCommandTimeout(
                                getDuration("job.command.timeout", d.jobCommandTimeout()))
                        .retryBackoff(
                                getDuration("retry.backoff", d.retryBackoff()),
                                getDuration("retry.backoff.max", d.maxRetryBackoff()));
        get("transactional.id").ifPresent(b::transactionalId);
        get(SIGNING_KEYS)
                .ifPresent(f -> b.signing(new RecordSigning(KeysFile.open(Path.of(f.trim())))));
        get(SESSION_TIMEOUT)
                .ifPresent(
                        v -> {
                            // a killed replica's commands go to another once its session ends
                            long ms = getDuration(SESSION_TIMEOUT, Duration.ZERO).toMillis();
                            if (ms <= 0) {
                                throw new IllegalArgumentException(
                                        SESSION_TIMEOUT + " must be positive, was " + v);
                            }
                            b.consumerProperty("session.timeout.ms", (int) ms);
                            b.consumerProperty("heartbeat.interval.ms", (int) Math.max(1, ms / 3));
                        });
        b.commandMaxAge(getDuration("command.max.age", d.commandMaxAge()));
        b.clockSkew(getDuration("command.clock.skew", d.clockSkew()));
        return b.build();
    }

    /**
     * The consumer group session of the connector: a replica killed without leaving is taken out of
     * the group, and its partitions handed to the others, this long after its last heartbeat
     * (unset: Kafka's default, 45 s).
     */
    public static final String SESSION_TIMEOUT = "session.timeout";

    /** The keys file: commands verified with it, results signed with it. */
    public static final String SIGNING_KEYS = "signing.keys.file";

    /** {@code true}: a connector of real machines runs unsigned commands, told at start. */
    public static final String SIGNING_INSECURE = "signing.insecure";

    /**
     * Whether commands are verified; a connector of real machines without a keys file refuses to
     * start unless {@code signing.insecure=true} says that it may run whatever is written to the
     * commands topic.
     *
     * @return false when the connector runs unsigned commands (allowed)
     * @throws IllegalArgumentException when neither is set
     */
    public boolean requireSigning(String what) {
        if (get(SIGNING_KEYS).isPresent()) {
            return true;
        }
        if (getBoolean(SIGNING_INSECURE, false)) {
            return false;
        }
        throw new IllegalArgumentException(
                what
                        + " runs commands on real machines: set "
                        + SIGNING_KEYS
                        + " (docs/security.md), or "
                        + SIGNING_INSECURE
                        + "=true to run any command written to the commands topic");
    }
}
