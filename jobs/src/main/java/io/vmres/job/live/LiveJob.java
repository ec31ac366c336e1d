package io.vmres.job.live;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Settings;
import io.vmres.job.Emitted;
import io.vmres.job.EngineFunction;
import io.vmres.job.RouteFunction;
import io.vmres.job.Routed;
import io.vmres.job.predict.HealthStage;
import io.vmres.job.route.ClusterRouting;
import io.vmres.job.route.Hop;
import io.vmres.schema.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.OutputTag;

/**
 * The production job graph: input topics in, decisions out. Telemetry, inventory, requests and
 * command results are read as bytes and decoded (bad records become dead letters), routed to the
 * engine of their cluster (keyed by VM and host, at the job's parallelism: {@link ClusterRouting}),
 * and every decision goes to its topic. The partition watch's notes of hosts whose heartbeat
 * partition stalled join the input before routing.
 */
public final class LiveJob {
    private LiveJob() {}

    /** Adds the job to {@code env}; run it with {@code env.execute("vmres")}. */
    public static void build(StreamExecutionEnvironment env, LiveOptions options) {
        build(env, options, true);
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, LiveOptions)}; {@code resultsOnArrival} false
     * holds each command result until the watermark passes its ts, as replays do (slower: the
     * figures of {@code vmres bench live} before results were applied on arrival).
     */
    public static void build(
            StreamExecutionEnvironment env, LiveOptions options, boolean resultsOnArrival) {
        List<String> topics = new ArrayList<>(Topics.INPUTS);
        topics.add(Topics.COMMAND_RESULTS);
        Inputs in = inputs(env, options, topics);
        decide(
                        in.streams(),
                        options.settings(),
                        idEpoch(System.currentTimeMillis()),
                        ClusterEngine.Hypervisor.EXTERNAL,
                        resultsOnArrival)
                .union(in.alerts())
                .sinkTo(sink(options))
                .name("decisions")
                .uid("decisions");
    }

    /**
     * The job's input: {@code records} read and {@code notes} of the partition watch (hosts whose
     * heartbeat partition stalled) to decide on, {@code alerts} of the input itself (partitions
     * that stall, append time that steps back) to write beside the decisions.
     */
    public record Inputs(
            DataStream<Decoded> records, DataStream<Decoded> notes, DataStream<Emitted> alerts) {
        /**
         * Records and notes, each routed in the chain of the operator that makes it ({@link
         * #decide(List, Settings, String, ClusterEngine.Hypervisor, boolean)}): a record read is
         * decoded, routed and sent to its keyed stage without crossing a channel before.
         */
        public List<DataStream<Decoded>> streams() {
            return List.of(records, notes);
        }
    }

    /**
     * The records of {@code topics}, decoded (bad records become dead letters), with event-time
     * watermarks and the notes of stalled partitions' hosts: the job's source, for graphs that read
     * other topics than the production job.
     */
    public static Inputs inputs(
            StreamExecutionEnvironment env, LiveOptions options, List<String> topics) {
        Properties consumer = options.clientProperties();
        // command results come from connectors; job outputs are read only once committed (set
        // over the user's properties: reading uncommitted would act on aborted commands)
        consumer.setProperty("isolation.level", "read_committed");
        // a partition whose append time steps back beyond the margin holds (AppendSteps)
        DecodingDeserializer deserializer =
                new DecodingDeserializer(
                        options.settings().maxClockSkewMs(),
                        options.signingKeys(),
                        options.appendTimeMargin() == null
                                ? -1
                                : options.appendTimeMargin().toMillis());
        KafkaSource<Decoded> kafka =
                KafkaSource.<Decoded>builder()
                        // first: the options below win over the same keys in the user's file
                        .setProperties(consumer)
                        .setBootstrapServers(options.bootstrapServers())
                        .setTopics(topics)
                        .setGroupId(options.groupId())
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(deserializer)
                        .build();
        // each split holds event time until it has read the backlog it had at the start
        Properties ask = new Properties();
        ask.putAll(consumer);
        ask.setProperty("bootstrap.servers", options.bootstrapServers());
        CatchUpSource source = new CatchUpSource(kafka, deserializer, ask);
        // per partition, from append time: a heartbeat partition that stalls holds event time, a
        // sparse one read up to its end does not (InputWatermarks)
        WatermarkStrategy<Decoded> watermarks =
                new InputWatermarks(
                        options.settings().outOfOrdernessMs(),
                        options.idleness().toMillis(),
                        options.heartbeatIdleness().toMillis(),
                        options.appendTimeMargin() == null
                                ? -1
                                : options.settings().maxClockSkewMs(),
                        options.appendTimeMargin() == null
                                ? 0
                                : options.appendTimeMargin().toMillis());
        DataStream<Decoded> decoded =
                env.fromSource(source, watermarks, "inputs")
                        .returns(Decoded.TYPE)
                        .name("inputs")
                        .uid("inputs");
        SingleOutputStreamOperator<Emitted> stalls =
                PartitionStallWatch.attach(
                        decoded,
                        options.idleness().toMillis(),
                        options.heartbeatIdleness().toMillis());
        DataStream<Emitted> steps =
                AppendStepAlerts.attach(decoded, options.heartbeatIdleness().toMillis());
        // the watch's notes of stalled hosts are input too: their engines do not judge them
        return new Inputs(
                decoded, stalls.getSideOutput(PartitionStallWatch.EVENTS), stalls.union(steps));
    }

    /**
     * The decisions of the job from decoded inputs with their event-time watermarks: routed to the
     * engine of their cluster, decided, with the dead letters of the inputs alongside. Tests pass
     * inputs of their own and read the decisions as they like.
     */
    public static DataStream<Emitted> decide(DataStream<Decoded> decoded, Settings settings) {
        return decide(decoded, settings, null);
    }

    /**
     * The run of a job built at {@code buildMillis} (wall clock, on the submitting side, never in
     * an operator): base 36 of its seconds. Engines made afresh put it into their ids; engines
     * restored from a checkpoint or a savepoint keep theirs, so their commands keep their ids.
     */
    public static String idEpoch(long buildMillis) {
        return Long.toString(Math.max(0, buildMillis / 1000), 36);
    }

    /** As {@link #decide(DataStream, Settings)}, with the run's id epoch (null: none). */
    public static DataStream<Emitted> decide(
            DataStream<Decoded> decoded, Settings settings, String idEpoch) {
        return decide(decoded, settings, idEpoch, ClusterEngine.Hypervisor.EXTERNAL);
    }

    /**
     * As {@link #decide(DataStream, Settings, String)}, with the engines' hypervisor: {@code
     * SIMULATED} engines answer their own commands with the simulated latencies, and write those
     * answers among their decisions (the shadow job, which no connector serves).
     */
    public static DataStream<Emitted> decide(
            DataStream<Decoded> decoded,
            Settings settings,
            String idEpoch,
            ClusterEngine.Hypervisor hypervisor) {
        return decide(
                decoded,
                settings,
                idEpoch,
                hypervisor,
                hypervisor == ClusterEngine.Hypervisor.EXTERNAL);
    }

    /**
     * As {@link #decide(DataStream, Settings, String, ClusterEngine.Hypervisor)}; {@code
     * resultsOnArrival}: the engines apply a connector's result as it arrives, at the watermark
     * ({@link EngineFunction}), rather than once the watermark passes its ts.
     */
    public static DataStream<Emitted> decide(
            DataStream<Decoded> decoded,
            Settings settings,
            String idEpoch,
            ClusterEngine.Hypervisor hypervisor,
            boolean resultsOnArrival) {
        return decide(List.of(decoded), settings, idEpoch, hypervisor, resultsOnArrival);
    }

    /**
     * As {@link #decide(DataStream, Settings, String, ClusterEngine.Hypervisor, boolean)}, for
     * inputs of several streams: each is routed where it is made (its own {@link RouteFunction},
     * chained to it; the first's uid is {@code route}, the others' {@code route-2}, ...).
     */
    public static DataStream<Emitted> decide(
            List<DataStream<Decoded>> decoded,
            Settings settings,
            String idEpoch,
            ClusterEngine.Hypervisor hypervisor,
            boolean resultsOnArrival) {
        OutputTag<Emitted> bad = new OutputTag<>("dead-letters", Emitted.TYPE);
        List<DataStream<Hop>> inputs = new ArrayList<>();
        DataStream<Routed> results = null;
        DataStream<Emitted> badInputs = null;
        for (int i = 0; i < decoded.size(); i++) {
            SingleOutputStreamOperator<Hop> in =
                    decoded.get(i)
                            .process(new RouteFunction(bad))
                            .returns(Hop.TYPE)
                            .name("route to clusters")
                            .uid(i == 0 ? "route" : "route-" + (i + 1));
            inputs.add(in);
            DataStream<Routed> r = in.getSideOutput(RouteFunction.RESULTS);
            DataStream<Emitted> b = in.getSideOutput(bad);
            results = results == null ? r : results.union(r);
            badInputs = badInputs == null ? b : badInputs.union(b);
        }
        // routing is keyed by VM, host and the fleet: no operator holds the whole fleet's map;
        // what concerns hosts or clusters no record named becomes dead letters, not state
        ClusterRouting.Routes routes = ClusterRouting.route(inputs, true);
        DataStream<Routed> routed = routes.routed().union(results);

        DataStream<Emitted> decisions =
                HealthStage.attach(routed, settings)
                        .keyBy(Routed::cluster)
                        .process(
                                new EngineFunction(
                                        settings,
                                        hypervisor,
                                        false,
                                        true,
                                        idEpoch,
                                        true,
                                        resultsOnArrival))
                        .returns(Emitted.TYPE)
                        .name("decide")
                        .uid("decide");
        return decisions.union(badInputs, routes.deadLetters());
    }

    /** Every decision to its topic, in Kafka transactions when exactly-once. */
    public static KafkaSink<Emitted> sink(LiveOptions options) {
        return sink(options, new OutputSerializer(options.signingKeys()));
    }

    /** As {@link #sink(LiveOptions)}, each decision written where {@code serializer} says. */
    public static KafkaSink<Emitted> sink(
            LiveOptions options, KafkaRecordSerializationSchema<Emitted> serializer) {
        Properties producer = options.clientProperties();
        // the broker caps transactions at 15 minutes by default; Flink's default of one hour is
        // refused. A shorter timeout of the user's own wins.
        producer.putIfAbsent("transaction.timeout.ms", "600000");
        return KafkaSink.<Emitted>builder()
                .setKafkaProducerConfig(producer)
                .setBootstrapServers(options.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(
                        options.exactlyOnce()
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(options.transactionalIdPrefix())
                .build();
    }
}
