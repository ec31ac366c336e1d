package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.engine.Settings;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard's feed tells what it reads from: no broker, a broker with no job, a live job. */
@Tag("slow")
@SuppressWarnings("try") // test harnesses and fixtures held open by try-with-resources
class DashboardFeedITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private final List<FeedStatus> told = new CopyOnWriteArrayList<>();

    private static <T> T await(Duration timeout, Supplier<T> value) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T v = value.get();
        while (v == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            v = value.get();
        }
        return v;
    }

    private FeedStatus awaitState(DashboardModel model, String state) {
        FeedStatus s =
                await(
                        Duration.ofSeconds(30),
                        () -> model.status().state().equals(state) ? model.status() : null);
        assertThat(s).as("state %s; it was %s", state, model.status()).isNotNull();
        return s;
    }

    @Test
    void withNoBrokerItSaysTheBrokerIsUnreachable() {
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        try (DashboardFeed feed =
                new DashboardFeed(KafkaEndpoint.of("127.0.0.1:1"), model, told::add)) {
            FeedStatus s = awaitState(model, "unreachable");
            assertThat(s.detail()).contains("127.0.0.1:1").contains("does not answer");
            assertThat(told).extracting(FeedStatus::state).containsExactly("unreachable");
            assertThat(feed.status().state()).isEqualTo("unreachable");
        }
    }

    @Test
    void aBrokerWithNoJobIsNoJobUntilTheJobWrites() {
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        try (DashboardFeed feed =
                new DashboardFeed(KafkaEndpoint.of(KAFKA.bootstrapServers()), model, told::add)) {
            FeedStatus none = awaitState(model, "no-job");
            assertThat(none.detail()).contains("no job has written");
            assertThat(none.topics())
                    .extracting(FeedStatus.TopicStatus::topic)
                    .containsExactlyElementsOf(DashboardFeed.TOPICS);

            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            Map.of(
                                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    KAFKA.bootstrapServers()),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                producer.send(
                        new ProducerRecord<>(
                                Topics.FLEET_STATE,
                                "h1".getBytes(StandardCharsets.UTF_8),
                                new AvroCodec()
                                        .encode(Records.host("h1", "c1", "r1", "healthy", 3, 0))));
            }
            FeedStatus live = awaitState(model, "live");
            assertThat(live.lastJobRecordAt()).isNotNull();
            assertThat(live.topics())
                    .filteredOn(t -> t.topic().equals(Topics.FLEET_STATE))
                    .singleElement()
                    .satisfies(t -> assertThat(t.records()).isEqualTo(1));
            assertThat((List<?>) model.since(0).get("hosts")).hasSize(1);
            // the terminal hears each new state once
            assertThat(told).extracting(FeedStatus::state).containsSubsequence("no-job", "live");
        }
    }
}
