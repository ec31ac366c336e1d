package io.vmres.deploy.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code bench detect} tells whether the live runtime sustains a load. */
class DetectBenchTest {
    private static final double DESIGN_MS = 1_100;

    private static DetectBench.Probe probe(double published, Double... lagsMs) {
        return DetectBench.probe(10_000, published, List.of(lagsMs), Map.of(), DESIGN_MS);
    }

    @Test
    void eventTimeSteadyBehindByTheWatermarksDelayIsSustained() {
        DetectBench.Probe p = probe(9_900, 1_180.0, 1_150.0, 1_200.0, 1_170.0, 1_160.0, 1_190.0);
        assertThat(p.lagEarlyMs()).isEqualTo(1_165.0);
        assertThat(p.lagLateMs()).isEqualTo(1_175.0);
        assertThat(p.sustained()).isTrue();
    }

    @Test
    void eventTimeFallingBehindIsNotSustainedEvenWithinTheBound() {
        // 1.2 s then 1.8 s behind: within 1.1 s + 1 s, but growing by 600 ms in the window
        DetectBench.Probe p = probe(10_000, 1_200.0, 1_200.0, 1_500.0, 1_500.0, 1_800.0, 1_800.0);
        assertThat(p.sustained()).isFalse();
    }

    @Test
    void eventTimeFarBehindIsNotSustainedEvenIfSteady() {
        DetectBench.Probe p = probe(10_000, 4_000.0, 4_000.0, 3_900.0, 3_900.0, 3_900.0, 3_900.0);
        assertThat(p.sustained()).isFalse();
    }

    @Test
    void catchingUpWithinTheWindowIsSustained() {
        DetectBench.Probe p = probe(10_000, 3_000.0, 2_000.0, 1_300.0, 1_200.0, 1_200.0, 1_150.0);
        assertThat(p.sustained()).isTrue();
    }

    @Test
    void aFleetThatCannotPublishTheRateDoesNotSustainIt() {
        DetectBench.Probe p = probe(8_000, 1_200.0, 1_200.0, 1_200.0, 1_200.0, 1_200.0, 1_200.0);
        assertThat(p.sustained()).isFalse();
        assertThat(probe(9_000, 1_200.0, 1_200.0, 1_200.0).sustained()).isTrue();
    }

    @Test
    void noEventTimeAtTheEnginesIsNotSustained() {
        DetectBench.Probe p =
                probe(10_000, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, 1_200.0);
        assertThat(p.lagEarlyMs()).isInfinite();
        assertThat(p.sustained()).isTrue(); // it came: the last third had it
        assertThat(probe(10_000).sustained()).isFalse(); // none at all
        assertThat(probe(10_000, 1_200.0, Double.POSITIVE_INFINITY).sustained()).isFalse();
    }

    @Test
    void aJobWhoseEventTimeComesNoNearerIn10SecondsFallsBehind() {
        assertThat(DetectBench.fallingBehind(9_000, 8_000, DESIGN_MS)).isTrue();
        assertThat(DetectBench.fallingBehind(9_000, 9_000, DESIGN_MS)).isTrue();
        assertThat(
                        DetectBench.fallingBehind(
                                Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, DESIGN_MS))
                .isTrue();
        // catching up, if slowly; or within reach
        assertThat(DetectBench.fallingBehind(8_000, 9_000, DESIGN_MS)).isFalse();
        assertThat(DetectBench.fallingBehind(9_000, Double.POSITIVE_INFINITY, DESIGN_MS)).isFalse();
        assertThat(DetectBench.fallingBehind(2_000, 1_500, DESIGN_MS)).isFalse();
    }

    @Test
    void theWindowIsTheWarmUpsLast12SecondsOrItsHalf() {
        DetectBench.Options d = DetectBench.Options.defaults();
        assertThat(DetectBench.window(d)).isEqualTo(Duration.ofSeconds(12));
        DetectBench.Options quick =
                new DetectBench.Options(2_000, 3, Duration.ofSeconds(2), Duration.ofSeconds(15), 2);
        assertThat(DetectBench.window(quick)).isEqualTo(Duration.ofMillis(7_500));
    }

    @Test
    void theRatesTriedFallBySqrt2FromTheTop() {
        List<Double> r = DetectBench.PROBE_RATES;
        for (int i = 1; i < r.size(); i++) {
            assertThat(r.get(i - 1) / r.get(i)).isBetween(1.40, 1.43);
        }
    }
}
