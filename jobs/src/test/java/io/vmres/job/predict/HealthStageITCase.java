package io.vmres.job.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Settings;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Prediction;
import io.vmres.job.Routed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The health stage: event-time windows and the CEP run of hot minutes, the sample rules. */
@Tag("slow")
// Flink's test utilities declare close() throws Exception
@SuppressWarnings("try")
class HealthStageITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final long T0 = 1_772_359_200_000L; // 2026-03-01T10:00:00Z, a whole minute
    private static final long MIN = 60_000L;
    private long seq;

    private Routed temp(String host, long at, double celsius) {
        return Routed.of("c1", new Health(at, seq++, host, "cpu_temp_c", celsius, null));
    }

    private Routed sample(String host, long at, String sensor, double value) {
        return Routed.of("c1", new Health(at, seq++, host, sensor, value, null));
    }

    /** Three samples a minute at the given temperatures, one minute after the other. */
    private List<Routed> minutes(String host, double... celsius) {
        List<Routed> in = new ArrayList<>();
        for (int m = 0; m < celsius.length; m++) {
            if (!Double.isNaN(celsius[m])) {
                for (int s = 0; s < 3; s++) {
                    in.add(temp(host, T0 + m * MIN + s * 20_000, celsius[m]));
                }
            }
        }
        return in;
    }

    private static List<Prediction> predictions(List<Routed> input) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<Routed> in =
                env.fromData(Routed.TYPE, input.toArray(new Routed[0]))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<Routed>forBoundedOutOfOrderness(
                                                Duration.ofSeconds(2))
                                        .withTimestampAssigner((r, ignored) -> r.event().ts()));
        List<Prediction> out = new ArrayList<>();
        try (var it = HealthStage.attach(in, Settings.DEFAULTS).executeAndCollect()) {
            it.forEachRemaining(
                    r -> {
                        if (r.event() instanceof Prediction p) {
                            out.add(p);
                        }
                    });
        }
        out.sort(
                java.util.Comparator.comparingLong(Prediction::ts).thenComparing(Prediction::host));
        return out;
    }

    @Test
    void threeHotMinutesInARowPredictAtTheEndOfTheThird() throws Exception {
        List<Prediction> got = predictions(minutes("h1", 91, 95, 90, 92));
        // minutes 1-3 end at T0 + 3 min; minutes 2-4 fire again (the engine keeps one incident)
        assertThat(got).extracting(Prediction::ts).containsExactly(T0 + 3 * MIN, T0 + 4 * MIN);
        assertThat(got).allSatisfy(p -> assertThat(p.rule()).isEqualTo("cpu_temp"));
    }

    @Test
    void aColdSampleOrAMinuteWithoutSamplesBreaksTheRun() throws Exception {
        List<Routed> in = minutes("h1", 95, 95, 89.9, 95, 95);
        in.addAll(minutes("h2", 95, 95, Double.NaN, 95, 95));
        assertThat(predictions(in)).isEmpty();
    }

    @Test
    void correctableEccAddingUpInTheWindowPredictsAtTheSampleThatReachesTheThreshold()
            throws Exception {
        List<Routed> in = new ArrayList<>();
        in.add(sample("h1", T0 + 2_000, "ecc_correctable", 60));
        in.add(sample("h1", T0 + 1_000, "ecc_correctable", 30)); // out of order, within the bound
        in.add(sample("h1", T0 + 3_000, "ecc_correctable", 10));
        in.add(sample("h2", T0 + 3_000, "ecc_correctable", 99));
        in.add(sample("h3", T0 + 4_000, "pfa", 1));
        List<Prediction> got = predictions(in);
        assertThat(got)
                .extracting(Prediction::host, Prediction::ts, Prediction::rule)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "h1", T0 + 3_000, "ecc_correctable_window"),
                        org.assertj.core.groups.Tuple.tuple("h3", T0 + 4_000, "pfa"));
    }
}
