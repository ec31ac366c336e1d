package io.vmres.deploy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.engine.Settings;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.job.Emitted;
import io.vmres.job.live.Decoded;
import io.vmres.job.live.DecodingDeserializer;
import io.vmres.job.live.LiveJob;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Channel;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.DeadLetter;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Host;
import io.vmres.schema.Maintenance;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.Topics;
import io.vmres.schema.Vm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad records from a jqwik generator (random bytes, truncated and forged Avro, length-prefix bombs,
 * records on the wrong topic, out-of-range times, oversized names and records, NaN readings,
 * unknown hosts and clusters, duplicates and far-late beats) mixed into a clean fleet's traffic on
 * every input topic of a real broker, read by the live job's source and decisions on a MiniCluster
 * that may not restart: every bad record is one dead letter with its reason, and the incidents and
 * commands are those of the clean traffic alone. {@code -Dvmres.fuzz.records=N} sets the number of
 * bad records (100,000 by default; about two minutes here).
 */
@Tag("slow")
// Flink's collect iterator declares close() throws Exception
@SuppressWarnings("try")
class LiveFuzzITCase {
    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA =
            // the traffic is of another day: its own ts stands (no broker append time), as on
            // the topics the test makes again for the dirty run
            new EmbeddedKafkaExtension(
                    EmbeddedKafka.builder().partitions(1).appendTimeOnInputs(false));

    private static final AvroCodec CODEC = new AvroCodec();
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final int HOSTS = 4;
    private static final int SECONDS = 60;

    /** The clean traffic's host and VM records, sent before the rest. */
    private static final List<ProducerRecord<byte[], byte[]>> INVENTORY = new ArrayList<>();

    private static final java.util.concurrent.atomic.AtomicInteger RUNS =
            new java.util.concurrent.atomic.AtomicInteger();

    @Test
    void badRecordsAreDeadLettersAndChangeNoDecision() throws Exception {
        String n = System.getenv("VMRES_FUZZ_RECORDS");
        int bad = n == null ? 100_000 : Integer.parseInt(n);
        List<ProducerRecord<byte[], byte[]>> clean = cleanTraffic();
        List<Emitted> cleanRun = run(clean);
        List<Object> cleanDecisions = decisions(cleanRun);
        assertThat(cleanDecisions)
                .as(
                        "the clean traffic fails h4 and restarts its VM; out: %s",
                        cleanRun.stream().limit(20).toList())
                .anySatisfy(d -> assertThat(d).isInstanceOf(CommandOut.class));
        assertThat(deadLetters(cleanRun)).isEmpty();

        // the same traffic again, with junk among it, read from the start
        Random random = new Random(20260301);
        List<ProducerRecord<byte[], byte[]>> mixed = new ArrayList<>();
        int junk = 0;
        int lateBeats = 0;
        int perRecord = Math.max(1, bad / clean.size());
        // jqwik's generators outside a property: samples of the arbitrary
        java.util.Iterator<Junk> junks = JUNK.sampleStream().iterator();
        for (ProducerRecord<byte[], byte[]> r : clean) {
            mixed.add(r);
            long ts = r.timestamp() == null ? T0.toEpochMilli() : r.timestamp();
            if (r.topic().equals(Topics.HEARTBEAT) && random.nextInt(40) == 0) {
                mixed.add(r); // a duplicate: valid, changes nothing
            }
            if (r.topic().equals(Topics.HEARTBEAT) && random.nextInt(40) == 0) {
                mixed.add(farLate(r));
                lateBeats++;
            }
            for (int i = 0; i < perRecord && junk < bad; i++, junk++) {
                mixed.add(junks.next().apply(ts));
            }
        }
        // the oversized ones, over Kafka's default message size only with the broker's leave
        for (int i = 0; i < 2; i++, junk++) {
            byte[] big = new byte[AvroCodec.MAX_RECORD_BYTES + 1 + i];
            big[0] = (byte) 0xC3;
            big[1] = 0x01;
            mixed.add(new ProducerRecord<>(Topics.INVENTORY, big));
        }
        // clear the topics' clean records out of the way: a second broker folder is the job's
        // inputs of the dirty run (the clean records are in it again, in mixed)
        deleteAndRecreateInputs();
        List<Emitted> dirtyRun = run(mixed);

        assertThat(decisions(dirtyRun)).isEqualTo(cleanDecisions);
        List<DeadLetter> input = deadLetters(dirtyRun);
        long late =
                dirtyRun.stream()
                        .filter(e -> e.line() instanceof io.vmres.engine.out.DeadLetterOut)
                        .count();
        assertThat(input).as("one dead letter for every bad record").hasSize(junk);
        assertThat(input).allSatisfy(d -> assertThat(d.getReason()).isNotBlank());
        assertThat(late)
                .as("far-late beats that were behind the watermark")
                .isBetween(0L, (long) lateBeats);
    }

    /** A junk record made for traffic at {@code ts}. */
    private interface Junk {
        ProducerRecord<byte[], byte[]> apply(long ts);
    }

    private static final Arbitrary<Junk> JUNK =
            Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(3, randomBytes()),
                    net.jqwik.api.Tuple.of(3, truncated()),
                    net.jqwik.api.Tuple.of(2, lengthBomb()),
                    net.jqwik.api.Tuple.of(2, unknownFingerprint()),
                    net.jqwik.api.Tuple.of(2, wrongTopic()),
                    net.jqwik.api.Tuple.of(2, outOfRangeTs()),
                    net.jqwik.api.Tuple.of(2, longName()),
                    net.jqwik.api.Tuple.of(2, notANumber()),
                    net.jqwik.api.Tuple.of(2, unknownHost()),
                    net.jqwik.api.Tuple.of(2, unknownCluster()));

    private static Arbitrary<Junk> randomBytes() {
        return Arbitraries.of(Topics.HEARTBEAT, Topics.POWER, Topics.INVENTORY, Topics.REQUESTS)
                .flatMap(
                        topic ->
                                Arbitraries.bytes()
                                        .array(byte[].class)
                                        .ofMaxSize(300)
                                        .map(b -> (Junk) ts -> new ProducerRecord<>(topic, b)));
    }

    private static Arbitrary<Junk> truncated() {
        return Arbitraries.integers()
                .between(0, 1000)
                .map(
                        f ->
                                ts -> {
                                    byte[] b = CODEC.encode(host("h1", "c1", ts));
                                    return new ProducerRecord<>(
                                            Topics.INVENTORY,
                                            Arrays.copyOf(b, f * (b.length - 1) / 1000));
                                });
    }

    private static Arbitrary<Junk> lengthBomb() {
        return Arbitraries.longs()
                .between(1_000_000L, Integer.MAX_VALUE)
                .map(
                        n ->
                                ts -> {
                                    byte[] b = CODEC.encode(beat("h1", ts));
                                    byte[] out = Arrays.copyOf(b, 10 + 5);
                                    long z = n << 1;
                                    for (int i = 10; i < 15; i++) {
                                        out[i] = (byte) ((z & 0x7f) | (i < 14 ? 0x80 : 0));
                                        z >>>= 7;
                                    }
                                    return new ProducerRecord<>(Topics.HEARTBEAT, out);
                                });
    }

    private static Arbitrary<Junk> unknownFingerprint() {
        return Arbitraries.integers()
                .between(2, 9)
                .map(
                        i ->
                                ts -> {
                                    byte[] b = CODEC.encode(beat("h1", ts));
                                    b[i] ^= 0x5a;
                                    return new ProducerRecord<>(Topics.HEARTBEAT, b);
                                });
    }

    private static Arbitrary<Junk> wrongTopic() {
        return Arbitraries.just(
                ts -> new ProducerRecord<>(Topics.HEARTBEAT, CODEC.encode(host("h9", "c1", ts))));
    }

    private static Arbitrary<Junk> outOfRangeTs() {
        return Arbitraries.of(
                        Long.MAX_VALUE, Long.MIN_VALUE, 253_402_300_800_000L, -62_135_596_800_001L)
                .map(
                        t ->
                                ts ->
                                        new ProducerRecord<>(
                                                Topics.HEARTBEAT, CODEC.encode(beat("h1", t))));
    }

    private static Arbitrary<Junk> longName() {
        return Arbitraries.integers()
                .between(257, 70_000)
                .map(
                        n ->
                                ts ->
                                        new ProducerRecord<>(
                                                Topics.HEARTBEAT,
                                                CODEC.encode(beat("h".repeat(n), ts))));
    }

    private static Arbitrary<Junk> notANumber() {
        return Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)
                .map(
                        v ->
                                ts ->
                                        new ProducerRecord<>(
                                                Topics.HEALTH,
                                                CODEC.encode(
                                                        Health.newBuilder()
                                                                .setHost("h1")
                                                                .setSensor("cpu_temp_c")
                                                                .setValue(v)
                                                                .setTs(Instant.ofEpochMilli(ts))
                                                                .build())));
    }

    private static Arbitrary<Junk> unknownHost() {
        return Arbitraries.integers()
                .between(0, 1_000_000)
                .flatMap(
                        n ->
                                Arbitraries.of(
                                        (Junk)
                                                ts ->
                                                        new ProducerRecord<>(
                                                                Topics.HEARTBEAT,
                                                                CODEC.encode(
                                                                        beat("ghost-" + n, ts))),
                                        ts ->
                                                new ProducerRecord<>(
                                                        Topics.REQUESTS,
                                                        CODEC.encode(
                                                                Maintenance.newBuilder()
                                                                        .setHost("ghost-" + n)
                                                                        .setDeadline(
                                                                                Instant
                                                                                        .ofEpochMilli(
                                                                                                ts))
                                                                        .setTs(
                                                                                Instant
                                                                                        .ofEpochMilli(
                                                                                                ts))
                                                                        .build()))));
    }

    private static Arbitrary<Junk> unknownCluster() {
        return Arbitraries.strings()
                .alpha()
                .ofMinLength(1)
                .ofMaxLength(20)
                .map(
                        c ->
                                ts ->
                                        new ProducerRecord<>(
                                                Topics.COMMAND_RESULTS,
                                                CODEC.encode(
                                                        CommandResult.newBuilder()
                                                                .setCommandId("forged-" + c)
                                                                .setStatus(CommandStatus.SUCCEEDED)
                                                                .setCluster("zz-" + c)
                                                                .setTs(Instant.ofEpochMilli(ts))
                                                                .build())));
    }

    private static ProducerRecord<byte[], byte[]> farLate(ProducerRecord<byte[], byte[]> r) {
        try {
            Heartbeat hb = (Heartbeat) CODEC.decode(r.value());
            hb.setTs(hb.getTs().minus(Duration.ofDays(1)));
            return new ProducerRecord<>(Topics.HEARTBEAT, CODEC.encode(hb));
        } catch (AvroCodec.BadRecordException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Host host(String h, String cluster, long ts) {
        return Host.newBuilder()
                .setHost(h)
                .setCluster(cluster)
                .setCpu(32)
                .setMemMb(65536)
                .setTs(Instant.ofEpochMilli(ts))
                .build();
    }

    private static Heartbeat beat(String h, long ts) {
        return Heartbeat.newBuilder()
                .setHost(h)
                .setChannel(Channel.mgmt)
                .setTs(Instant.ofEpochMilli(ts))
                .build();
    }

    /** Four hosts, a VM on each; h4 falls silent at 20 s and its power reads off at 25 s. */
    private static List<ProducerRecord<byte[], byte[]>> cleanTraffic() {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        long t0 = T0.toEpochMilli();
        for (int h = 1; h <= HOSTS; h++) {
            if (h == 1) {
                INVENTORY.clear();
            }
            out.add(rec(Topics.INVENTORY, t0, host("h" + h, "c1", t0)));
            out.add(
                    rec(
                            Topics.INVENTORY,
                            t0,
                            Vm.newBuilder()
                                    .setVm("v" + h)
                                    .setHost("h" + h)
                                    .setCpu(2)
                                    .setMemMb(2048)
                                    .setTs(Instant.ofEpochMilli(t0))
                                    .build()));
        }
        INVENTORY.addAll(out);
        for (int s = 0; s <= SECONDS; s++) {
            long ts = t0 + s * 1000L;
            for (int h = 1; h <= HOSTS; h++) {
                if (h == HOSTS && s > 20) {
                    continue;
                }
                out.add(rec(Topics.HEARTBEAT, ts, beat("h" + h, ts)));
            }
            if (s == 25) {
                out.add(
                        rec(
                                Topics.POWER,
                                ts,
                                Power.newBuilder()
                                        .setHost("h" + HOSTS)
                                        .setState(PowerState.off)
                                        .setTs(Instant.ofEpochMilli(ts))
                                        .build()));
            }
        }
        return out;
    }

    private static ProducerRecord<byte[], byte[]> rec(String topic, long ts, SpecificRecord r) {
        return new ProducerRecord<>(topic, null, ts, null, CODEC.encode(r));
    }

    private static void produce(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", KAFKA.bootstrapServers());
        p.put("max.request.size", "3000000");
        p.put("linger.ms", "20");
        p.put("max.in.flight.requests.per.connection", "1");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                // no timestamp of the producer's: the records' own ts is in their bodies
                producer.send(new ProducerRecord<>(r.topic(), null, null, null, r.value()));
            }
            producer.flush();
        }
    }

    private static void deleteAndRecreateInputs() throws Exception {
        try (var admin =
                org.apache.kafka.clients.admin.Admin.create(
                        Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            List<String> topics = new ArrayList<>(Topics.INPUTS);
            topics.add(Topics.COMMAND_RESULTS);
            admin.deleteTopics(topics).all().get();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    admin.createTopics(
                                    topics.stream()
                                            .map(
                                                    t ->
                                                            new org.apache.kafka.clients.admin
                                                                            .NewTopic(
                                                                            t, 1, (short) 1)
                                                                    .configs(
                                                                            Map.of(
                                                                                    "max.message.bytes",
                                                                                    "3000000")))
                                            .toList())
                            .all()
                            .get();
                    return;
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.onSpinWait();
                }
            }
        }
    }

    /**
     * The job's source and decisions over {@code records}, bounded at their ends, with no restart
     * allowed. The router places hosts in arrival order, so the inventory goes first, and the rest
     * only once the job has read it (its offsets committed at a checkpoint).
     */
    private static List<Emitted> run(List<ProducerRecord<byte[], byte[]>> records)
            throws Exception {
        Map<org.apache.kafka.common.TopicPartition, Long> ends = new java.util.HashMap<>();
        List<String> all = new ArrayList<>(Topics.INPUTS);
        all.add(Topics.COMMAND_RESULTS);
        for (String t : all) {
            ends.put(
                    new org.apache.kafka.common.TopicPartition(t, 0),
                    records.stream().filter(r -> r.topic().equals(t)).count());
        }
        List<ProducerRecord<byte[], byte[]>> inventory =
                records.stream().filter(INVENTORY::contains).distinct().toList();
        String group = "fuzz-" + RUNS.incrementAndGet();
        List<ProducerRecord<byte[], byte[]>> rest = new ArrayList<>(records);
        inventory.forEach(rest::remove);
        java.util.concurrent.CompletableFuture<List<Emitted>> job =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return collect(group, ends);
                            } catch (Exception e) {
                                throw new java.util.concurrent.CompletionException(e);
                            }
                        });
        produce(inventory);
        awaitCommitted(
                group,
                new org.apache.kafka.common.TopicPartition(Topics.INVENTORY, 0),
                2 * HOSTS,
                job);
        produce(rest);
        return job.get(5, java.util.concurrent.TimeUnit.MINUTES);
    }

    private static void awaitCommitted(
            String group,
            org.apache.kafka.common.TopicPartition tp,
            long offset,
            java.util.concurrent.CompletableFuture<?> job)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (var admin =
                org.apache.kafka.clients.admin.Admin.create(
                        Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            while (System.nanoTime() < deadline && !job.isDone()) {
                var m = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                if (m.get(tp) != null && m.get(tp).offset() >= offset) {
                    return;
                }
                Thread.onSpinWait();
            }
        }
        if (job.isDone()) {
            job.get();
        }
        throw new AssertionError("the job did not read the inventory in time");
    }

    private static List<Emitted> collect(
            String group, Map<org.apache.kafka.common.TopicPartition, Long> ends) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        conf.set(
                org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTING_INTERVAL,
                Duration.ofMillis(300));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
        List<String> topics = new ArrayList<>(Topics.INPUTS);
        topics.add(Topics.COMMAND_RESULTS);
        Settings settings = Settings.DEFAULTS;
        KafkaSource<Decoded> source =
                KafkaSource.<Decoded>builder()
                        .setBootstrapServers(KAFKA.bootstrapServers())
                        .setTopics(topics)
                        .setGroupId(group)
                        .setProperty("commit.offsets.on.checkpoint", "true")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setBounded(OffsetsInitializer.offsets(ends))
                        .setProperty("max.partition.fetch.bytes", "3000000")
                        .setDeserializer(new DecodingDeserializer(settings.maxClockSkewMs()))
                        .build();
        WatermarkStrategy<Decoded> watermarks =
                WatermarkStrategy.<Decoded>forBoundedOutOfOrderness(
                                Duration.ofMillis(settings.outOfOrdernessMs()))
                        .withTimestampAssigner(
                                (d, ignored) -> d.isBad() ? Long.MIN_VALUE : d.event().ts());
        var decoded = env.fromSource(source, watermarks, "inputs").returns(Decoded.TYPE);
        List<Emitted> out = new ArrayList<>();
        try (var it = LiveJob.decide(decoded, settings, "fuzz").executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private static List<Object> decisions(List<Emitted> run) {
        return run.stream()
                .map(Emitted::line)
                .filter(l -> l instanceof CommandOut || l instanceof IncidentOut)
                .map(l -> (Object) l)
                .toList();
    }

    private static List<DeadLetter> deadLetters(List<Emitted> run) {
        return run.stream()
                .map(Emitted::line)
                .filter(l -> l instanceof DeadLetter)
                .map(l -> (DeadLetter) l)
                .toList();
    }

    static {
        // the bytes of a String's UTF-8 form are what the bounds count in a record
        assert StandardCharsets.UTF_8 != null;
    }
}
