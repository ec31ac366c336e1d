package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.Power;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkOutputMultiplexer;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.util.clock.ManualClock;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The end offsets a reader asks: their answer wakes a reader that has nothing to read, and the
 * watermarks of its splits are emitted as it is taken, the source's (the least of its splits')
 * moving once, with no periodic emission; switched off, the answer waits for the reader's next
 * record and the watermarks for the periodic emission.
 */
class EndsAnswerTest {
    private static final long T = 1_000_000;
    private static final TopicPartition BEATS = new TopicPartition("vmres.telemetry.heartbeat", 0);
    private static final TopicPartition POWER = new TopicPartition("vmres.telemetry.power", 0);
    private static final TopicPartition HEALTH = new TopicPartition("vmres.telemetry.health", 0);

    /** The source's watermarks, as the multiplexer of its splits emits them. */
    private final List<Long> emitted = new ArrayList<>();

    private final WatermarkOutputMultiplexer splits =
            new WatermarkOutputMultiplexer(
                    new WatermarkOutput() {
                        @Override
                        public void emitWatermark(Watermark w) {
                            emitted.add(w.getTimestamp());
                        }

                        @Override
                        public void markIdle() {}

                        @Override
                        public void markActive() {}
                    });

    private final CatchUpSource.Backlog backlog = new CatchUpSource.Backlog();
    private final InputWatermarks strategy =
            new InputWatermarks(2_000, 5_000, 120_000, 1_000, 100, new ManualClock(0));
    private final Map<String, WatermarkGenerator<Decoded>> generators = new java.util.HashMap<>();

    /** The brokers' answer waits for this. */
    private final CountDownLatch answer = new CountDownLatch(1);

    private final AtomicInteger asked = new AtomicInteger();

    private CatchUpSource.Reader reader(boolean atAnswer) {
        CatchUpSource.Reader r =
                new CatchUpSource.Reader(
                        new NothingToRead(),
                        backlog,
                        new Properties(),
                        e -> {},
                        ask -> {
                            asked.incrementAndGet();
                            try {
                                answer.await();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                            return Map.of(
                                    BEATS.toString(),
                                    1L,
                                    POWER.toString(),
                                    1L,
                                    HEALTH.toString(),
                                    1L);
                        },
                        0,
                        atAnswer);
        List<KafkaPartitionSplit> given = new ArrayList<>();
        for (TopicPartition tp : List.of(BEATS, POWER, HEALTH)) {
            given.add(new KafkaPartitionSplit(tp, 0));
            backlog.split(tp.toString()).target(0); // no backlog
            splits.registerNewOutput(tp.toString());
            InputWatermarks.readerBacklog(backlog);
            generators.put(tp.toString(), strategy.createWatermarkGenerator(null));
            InputWatermarks.readerBacklog(null);
        }
        r.addSplits(given);
        // each partition's first record, then a heartbeat appended 3 s later
        read(POWER, 0, T, Decoded.event(new Power(T, 0, "h1", "on"), null));
        read(HEALTH, 0, T, Decoded.event(new Power(T, 0, "h2", "on"), null));
        read(BEATS, 0, T + 3_000, Decoded.event(new Heartbeat(T + 3_000, 0, "h1", "m"), null));
        return r;
    }

    private void read(TopicPartition tp, long offset, long appendTs, Decoded d) {
        backlog.read(tp.toString(), offset, appendTs);
        generators
                .get(tp.toString())
                .onEvent(d, d.event().ts(), splits.getImmediateOutput(tp.toString()));
    }

    @Test
    void theAnswerWakesTheReaderAndMovesTheSourcesWatermarkOnceAsItIsTaken() throws Exception {
        CatchUpSource.Reader r = reader(true);
        r.pollNext(new Outputs()); // asks the ends, having read up to T + 3 s
        CompletableFuture<Void> available = r.isAvailable();
        assertThat(available).isNotDone(); // no record, no answer yet
        answer.countDown();
        available.get(30, TimeUnit.SECONDS); // woken by the answer alone
        assertThat(emitted).isEmpty();

        r.pollNext(new Outputs()); // takes it: no periodic emission is run
        assertThat(emitted).containsExactly(T + 3_000 - 1_101);
        // nothing newer read since it was asked: not asked again
        assertThat(r.endsAsked()).isNull();
        assertThat(asked).hasValue(1);
        r.close();
    }

    @Test
    void switchedOffTheAnswerWaitsForARecordAndThePeriodicEmission() throws Exception {
        CatchUpSource.Reader r = reader(false);
        r.pollNext(new Outputs());
        answer.countDown();
        r.endsAsked().get(30, TimeUnit.SECONDS);
        assertThat(r.isAvailable()).isNotDone(); // the Kafka reader's alone: no record comes
        r.pollNext(new Outputs()); // a record came: the answer is taken
        assertThat(emitted).isEmpty();
        for (Map.Entry<String, WatermarkGenerator<Decoded>> g : generators.entrySet()) {
            g.getValue().onPeriodicEmit(splits.getDeferredOutput(g.getKey()));
        }
        splits.onPeriodicEmit();
        assertThat(emitted).containsExactly(T + 3_000 - 1_101);
        r.close();
    }

    /** The reader's output: each split's watermarks go to the multiplexer at once, as Flink's. */
    private final class Outputs implements ReaderOutput<Decoded> {
        @Override
        public void collect(Decoded record) {}

        @Override
        public void collect(Decoded record, long timestamp) {}

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<Decoded> createOutputForSplit(String splitId) {
            WatermarkOutput out = splits.getImmediateOutput(splitId);
            return new SourceOutput<>() {
                @Override
                public void collect(Decoded record) {}

                @Override
                public void collect(Decoded record, long timestamp) {}

                @Override
                public void emitWatermark(Watermark watermark) {
                    out.emitWatermark(watermark);
                }

                @Override
                public void markIdle() {
                    out.markIdle();
                }

                @Override
                public void markActive() {
                    out.markActive();
                }
            };
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }
}
