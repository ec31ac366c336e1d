package io.vmres.job.live;

import io.vmres.engine.ClusterEngine;
import io.vmres.job.Emitted;
import io.vmres.schema.Topics;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The production job in shadow: the same inputs and engines as {@link LiveJob}, its decisions
 * written to shadow copies of the decision topics (the prefix in place of {@code vmres.}, so {@code
 * vmres.shadow.commands} for {@code vmres.commands}) that no connector reads. No connector answers
 * its commands, so its engines answer them themselves with the simulated hypervisor's latencies, as
 * a replay does, and write those answers to the shadow {@code command-results}; it never reads the
 * production command results.
 */
public final class ShadowJob {
    /** The prefix of the shadow topics unless told otherwise. */
    public static final String DEFAULT_PREFIX = "vmres.shadow.";

    /** The decision topics the production job writes, of which the shadow writes copies. */
    public static final List<String> OUTPUTS =
            List.of(
                    Topics.COMMANDS,
                    Topics.COMMAND_RESULTS,
                    Topics.INCIDENTS,
                    Topics.ALERTS,
                    Topics.FLEET_STATE,
                    Topics.DEAD_LETTER);

    private ShadowJob() {}

    /** Adds the shadow job to {@code env}, writing to the topics of {@code prefix}. */
    public static void build(StreamExecutionEnvironment env, LiveOptions options, String prefix) {
        checkPrefix(prefix);
        LiveJob.Inputs in = LiveJob.inputs(env, options, Topics.INPUTS);
        LiveJob.decide(
                        in.streams(),
                        options.settings(),
                        LiveJob.idEpoch(System.currentTimeMillis()),
                        ClusterEngine.Hypervisor.SIMULATED,
                        false)
                .union(in.alerts())
                .sinkTo(LiveJob.sink(options, new Renamed(prefix)))
                .name("shadow decisions")
                .uid("decisions");
    }

    /**
     * The shadow copy of a vmres topic: {@code vmres.commands} with prefix {@code p} is p +
     * commands.
     */
    public static String topic(String prefix, String topic) {
        if (!topic.startsWith("vmres.")) {
            throw new IllegalArgumentException("not a vmres topic: " + topic);
        }
        return prefix + topic.substring("vmres.".length());
    }

    /**
     * A prefix is refused when any shadow topic it makes would be a topic of the production job.
     *
     * @throws IllegalArgumentException when it is
     */
    public static void checkPrefix(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("the shadow topic prefix is empty");
        }
        for (String t : OUTPUTS) {
            if (Topics.ALL.contains(topic(prefix, t))) {
                throw new IllegalArgumentException(
                        "the shadow topic prefix '"
                                + prefix
                                + "' would write to the production topic "
                                + topic(prefix, t));
            }
        }
    }

    /** The production job's serializer, each record sent to the shadow copy of its topic. */
    private static final class Renamed implements KafkaRecordSerializationSchema<Emitted> {
        private static final long serialVersionUID = 1L;

        private final OutputSerializer out = new OutputSerializer();
        private final String prefix;

        Renamed(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                Emitted e, KafkaSinkContext context, Long timestamp) {
            ProducerRecord<byte[], byte[]> r = out.serialize(e, context, timestamp);
            return new ProducerRecord<>(
                    topic(prefix, r.topic()), r.partition(), r.timestamp(), r.key(), r.value());
        }
    }
}
