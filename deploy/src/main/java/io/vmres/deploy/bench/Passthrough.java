package io.vmres.deploy.bench;

import io.vmres.schema.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The baseline of {@code bench ingest}: the least a job over vmres's input must do. Kafka in (the
 * live job's topics, read committed), each record's Avro decoded, keyed by its Kafka key (the
 * host), written back to Kafka ({@link #OUTPUT}) in the live job's delivery guarantee.
 */
final class Passthrough {
    /** Where the passthrough writes. */
    static final String OUTPUT = "vmres.bench.passthrough";

    private static final TypeInformation<Tuple2<String, byte[]>> TYPE =
            Types.TUPLE(Types.STRING, Types.PRIMITIVE_ARRAY(Types.BYTE));

    private Passthrough() {}

    static void build(
            StreamExecutionEnvironment env,
            String bootstrap,
            List<String> topics,
            String groupId,
            String transactionalIdPrefix,
            boolean exactlyOnce) {
        KafkaSource<Tuple2<String, byte[]>> source =
                KafkaSource.<Tuple2<String, byte[]>>builder()
                        .setBootstrapServers(bootstrap)
                        .setTopics(topics)
                        .setGroupId(groupId)
                        .setProperty("isolation.level", "read_committed")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new Decode())
                        .build();
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", "600000");
        KafkaSink<Tuple2<String, byte[]>> sink =
                KafkaSink.<Tuple2<String, byte[]>>builder()
                        .setBootstrapServers(bootstrap)
                        .setKafkaProducerConfig(producer)
                        .setRecordSerializer(
                                (KafkaRecordSerializationSchema<Tuple2<String, byte[]>>)
                                        (t, ctx, ts) ->
                                                new ProducerRecord<>(
                                                        OUTPUT,
                                                        t.f0.getBytes(StandardCharsets.UTF_8),
                                                        t.f1))
                        .setDeliveryGuarantee(
                                exactlyOnce
                                        ? DeliveryGuarantee.EXACTLY_ONCE
                                        : DeliveryGuarantee.AT_LEAST_ONCE)
                        .setTransactionalIdPrefix(transactionalIdPrefix)
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "inputs")
                .returns(TYPE)
                .keyBy(t -> t.f0, Types.STRING)
                .map(t -> t)
                .returns(TYPE)
                .name("keyed")
                .sinkTo(sink)
                .name("output");
    }

    /** Each record's Avro decoded (what the live job's decoder does first); bad ones dropped. */
    private static final class Decode
            implements KafkaRecordDeserializationSchema<Tuple2<String, byte[]>> {
        private transient AvroCodec codec;

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<Tuple2<String, byte[]>> out) {
            if (codec == null) {
                codec = new AvroCodec();
            }
            try {
                codec.decode(record.value());
            } catch (AvroCodec.BadRecordException e) {
                return; // the prefilled topics hold none: nothing to count
            }
            String key =
                    record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            out.collect(Tuple2.of(key, record.value()));
        }

        @Override
        public TypeInformation<Tuple2<String, byte[]>> getProducedType() {
            return TYPE;
        }
    }
}
