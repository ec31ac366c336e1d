package io.vmres.engine.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Settings;
import io.vmres.engine.event.Health;
import org.junit.jupiter.api.Test;

class HealthRulesTest {
    private static final Settings S = Settings.DEFAULTS;
    private static final long H = 3_600_000L;

    private static Health h(long ts, String sensor, double value) {
        return new Health(ts, 0, "h1", sensor, value, "c0");
    }

    @Test
    void correctableEccCountsOnlyWithinTheSlidingWindow() {
        HealthRules r = new HealthRules();
        assertThat(r.sample(h(0, "ecc_correctable", 60), S)).isNull();
        // exactly eccWindow later the first sample is out of (t - window, t]
        assertThat(r.sample(h(24 * H, "ecc_correctable", 40), S)).isNull();
        assertThat(r.sample(h(24 * H + 1, "ecc_correctable", 60), S))
                .isEqualTo("ecc_correctable_window");
    }

    @Test
    void psuRedundancyNeedsAFailedFanToo() {
        HealthRules r = new HealthRules();
        assertThat(r.sample(h(0, "psu_redundancy_lost", 1), S)).isNull();
        assertThat(r.sample(h(1, "fan_failed", 0), S)).isNull();
        assertThat(r.sample(h(2, "fan_failed", 2), S)).isEqualTo("psu_and_fans");
    }

    @Test
    void smartFiresOnGrowthWithinTheWindowNeverOnALevel() {
        HealthRules r = new HealthRules();
        assertThat(r.sample(h(0, "smart_reallocated", 1000), S)).isNull();
        assertThat(r.sample(h(H, "smart_reallocated", 1099), S)).isNull();
        assertThat(r.sample(h(2 * H, "smart_reallocated", 1100), S)).isEqualTo("smart_growth");
        HealthRules late = new HealthRules();
        late.sample(h(0, "smart_pending", 0), S);
        // the first sample is older than smartWindow: nothing earlier in the window, never fires
        assertThat(late.sample(h(168 * H + 1, "smart_pending", 50), S)).isNull();
    }

    @Test
    void pfaAndUncorrectableEccFireAtOnce() {
        HealthRules r = new HealthRules();
        assertThat(r.sample(h(0, "pfa", 0), S)).isNull();
        assertThat(r.sample(h(0, "pfa", 1), S)).isEqualTo("pfa");
        assertThat(r.sample(h(0, "ecc_uncorrectable", 1), S)).isEqualTo("ecc_uncorrectable");
    }

    @Test
    void temperatureWindowsAreAlignedMinutesAndAnEmptyOneBreaksTheRun() {
        HealthRules r = new HealthRules();
        long m = HealthRules.MINUTE;
        assertThat(r.temperature(30_000, 95, S)).isEqualTo(m);
        assertThat(r.temperature(59_999, 95, S)).isEqualTo(Long.MIN_VALUE); // same window
        assertThat(r.windowEnd(m, S)).isFalse();
        r.temperature(m + 5, 95, S);
        assertThat(r.windowEnd(2 * m, S)).isFalse();
        // no sample in [2m, 3m): the run starts over
        r.temperature(3 * m, 95, S);
        assertThat(r.windowEnd(4 * m, S)).isFalse();
        r.temperature(4 * m, 91, S);
        assertThat(r.windowEnd(5 * m, S)).isFalse();
        r.temperature(5 * m, 90, S);
        assertThat(r.windowEnd(6 * m, S)).isTrue();
    }
}
