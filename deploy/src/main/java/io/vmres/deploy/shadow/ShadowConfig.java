package io.vmres.deploy.shadow;

import io.vmres.deploy.cli.DurationConverter;
import io.vmres.deploy.commands.SettingValues;
import io.vmres.engine.Settings;
import io.vmres.engine.recording.SettingsParser;
import io.vmres.job.live.LiveOptions;
import io.vmres.job.live.ShadowJob;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The live shadow's configuration, a Java properties file (docs/adoption.md): the Kafka, the shadow
 * topics, the incumbent's topic and format, where the report goes, and the job's settings ({@code
 * set.KEY=VALUE}, as {@code --set}).
 *
 * @param kafkaProperties client properties for every Kafka client (security, timeouts)
 * @param prefix the shadow topics' prefix, in place of {@code vmres.}
 * @param incumbentTopic the topic of the incumbent's actions, one action (or an array) a record
 * @param reportDir where the report and the recording of the inputs are written
 * @param reportEvery how often the report is written and the status line printed
 */
public record ShadowConfig(
        String bootstrap,
        Map<String, String> kafkaProperties,
        String prefix,
        String incumbentTopic,
        IncumbentFormat format,
        Path reportDir,
        Duration reportEvery,
        String groupId,
        String transactionalIdPrefix,
        int parallelism,
        Settings settings) {

    private static final Set<String> KEYS =
            Set.of(
                    "bootstrap",
                    "kafka.properties",
                    "topics.prefix",
                    "topics.incumbent",
                    "incumbent.format",
                    "report.dir",
                    "report.every",
                    "group.id",
                    "transactional.id.prefix",
                    "parallelism");

    public ShadowConfig {
        ShadowJob.checkPrefix(prefix);
        if (incumbentTopic.startsWith("vmres.") && !incumbentTopic.startsWith(prefix)) {
            throw new IllegalArgumentException(
                    "topics.incumbent " + incumbentTopic + " is a vmres topic, not a shadow one");
        }
        kafkaProperties = new TreeMap<>(kafkaProperties);
    }

    /**
     * Reads {@code file}; {@code overrides} are settings given on the command line, over the
     * file's. A relative {@code kafka.properties} or {@code report.dir} is taken from the file's
     * folder.
     *
     * @throws IllegalArgumentException for an unknown key, a missing bootstrap, a bad value
     */
    public static ShadowConfig read(Path file, Map<String, String> overrides) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Path base = file.toAbsolutePath().getParent();
        Map<String, String> settings = new LinkedHashMap<>();
        for (String k : new TreeSet<>(p.stringPropertyNames())) {
            if (k.startsWith("set.")) {
                settings.put(k.substring(4), p.getProperty(k).strip());
            } else if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(
                        file
                                + ": unknown key "
                                + k
                                + " (known: "
                                + new TreeSet<>(KEYS)
                                + ", set.*)");
            }
        }
        settings.putAll(overrides);
        String bootstrap = get(p, "bootstrap", null);
        if (bootstrap == null) {
            throw new IllegalArgumentException(file + ": bootstrap is missing");
        }
        Map<String, String> kafka = Map.of();
        String kp = get(p, "kafka.properties", null);
        if (kp != null) {
            kafka = properties(base.resolve(kp));
        }
        Settings s =
                SettingsParser.applyOverrides(Settings.DEFAULTS, SettingValues.normalize(settings));
        String prefix = get(p, "topics.prefix", ShadowJob.DEFAULT_PREFIX);
        return new ShadowConfig(
                bootstrap,
                kafka,
                prefix,
                get(p, "topics.incumbent", prefix + "incumbent"),
                IncumbentFormat.of(get(p, "incumbent.format", "vmres")),
                base.resolve(get(p, "report.dir", "shadow-report")),
                every(get(p, "report.every", "5s")),
                get(p, "group.id", "vmres-shadow"),
                get(p, "transactional.id.prefix", "vmres-shadow"),
                Integer.parseInt(get(p, "parallelism", "2")),
                s);
    }

    /** The shadow job's options: its own consumer group and transactional ids. */
    public LiveOptions liveOptions() {
        return LiveOptions.defaults(bootstrap)
                .withSettings(settings)
                .withExactlyOnce(true)
                .withKafkaProperties(kafkaProperties)
                .withGroupId(groupId)
                .withTransactionalIdPrefix(transactionalIdPrefix);
    }

    /** The shadow copy of a decision topic. */
    public String shadowTopic(String topic) {
        return ShadowJob.topic(prefix, topic);
    }

    private static Duration every(String text) {
        Duration d;
        try {
            d = DurationConverter.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("report.every: " + e.getMessage(), e);
        }
        if (d.isZero()) {
            throw new IllegalArgumentException("report.every must be longer than zero");
        }
        return d;
    }

    private static String get(Properties p, String key, String dflt) {
        String v = p.getProperty(key);
        return v == null || v.isBlank() ? dflt : v.strip();
    }

    static Map<String, String> properties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }
}
