package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.engine.Settings;
import io.vmres.engine.recording.SettingsParser;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each {@code with...} of the live job's options changes its own components and no other. */
class LiveOptionsTest {
    private static final LiveOptions D = LiveOptions.defaults("b:9092");
    private static final Duration FIVE_S = Duration.ofSeconds(5);
    private static final Duration TWO_MIN = LiveOptions.HEARTBEAT_IDLENESS;
    private static final Duration MARGIN = LiveOptions.APPEND_TIME_MARGIN;

    private static LiveOptions options(
            Settings settings,
            boolean exactlyOnce,
            Duration idleness,
            String groupId,
            String prefix,
            Map<String, String> properties,
            Duration heartbeatIdleness,
            String keys,
            Duration margin) {
        return new LiveOptions(
                "b:9092",
                settings,
                exactlyOnce,
                idleness,
                groupId,
                prefix,
                properties,
                heartbeatIdleness,
                keys,
                margin);
    }

    @Test
    void eachWithChangesItsOwnComponents() {
        Settings other =
                SettingsParser.applyOverrides(Settings.DEFAULTS, Map.of("maxClockSkew", "PT3S"));
        Settings s = Settings.DEFAULTS;
        Map<String, String> none = Map.of();
        assertThat(D)
                .isEqualTo(
                        options(
                                s,
                                true,
                                FIVE_S,
                                "vmres-job",
                                "vmres-job",
                                none,
                                TWO_MIN,
                                null,
                                MARGIN));
        assertThat(D.withSettings(other))
                .isEqualTo(
                        options(
                                other,
                                true,
                                FIVE_S,
                                "vmres-job",
                                "vmres-job",
                                none,
                                TWO_MIN,
                                null,
                                MARGIN));
        assertThat(D.withExactlyOnce(false))
                .isEqualTo(
                        options(
                                s,
                                false,
                                FIVE_S,
                                "vmres-job",
                                "vmres-job",
                                none,
                                TWO_MIN,
                                null,
                                MARGIN));
        assertThat(D.withGroupId("g"))
                .isEqualTo(options(s, true, FIVE_S, "g", "vmres-job", none, TWO_MIN, null, MARGIN));
        assertThat(D.withTransactionalIdPrefix("t"))
                .isEqualTo(options(s, true, FIVE_S, "vmres-job", "t", none, TWO_MIN, null, MARGIN));
        assertThat(D.withKafkaProperties(Map.of("a", "1")))
                .isEqualTo(
                        options(
                                s,
                                true,
                                FIVE_S,
                                "vmres-job",
                                "vmres-job",
                                Map.of("a", "1"),
                                TWO_MIN,
                                null,
                                MARGIN));
        assertThat(D.withIdleness(Duration.ofSeconds(1), Duration.ofSeconds(9)))
                .isEqualTo(
                        options(
                                s,
                                true,
                                Duration.ofSeconds(1),
                                "vmres-job",
                                "vmres-job",
                                none,
                                Duration.ofSeconds(9),
                                null,
                                MARGIN));
        assertThat(D.withAppendTimeMargin(null))
                .isEqualTo(
                        options(
                                s,
                                true,
                                FIVE_S,
                                "vmres-job",
                                "vmres-job",
                                none,
                                TWO_MIN,
                                null,
                                null));
        assertThat(D.withSigningKeys("/k"))
                .isEqualTo(
                        options(
                                s,
                                true,
                                FIVE_S,
                                "vmres-job",
                                "vmres-job",
                                none,
                                TWO_MIN,
                                "/k",
                                MARGIN));
    }

    @Test
    void aCopyIsCheckedAsAnyOptions() {
        assertThatThrownBy(() -> D.withAppendTimeMargin(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> D.withIdleness(FIVE_S, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
