package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.engine.Settings;
import io.vmres.engine.recording.SettingsParser;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Each {@code with...} of the live job's options changes its own components and no other. */
class LiveOptionsTest {
    private static final LiveOptions D = LiveOptions.defaults("b:9092");
    private static final Duration FIVE_S = Duration.ofSeconds(5);

    /** The components of the default options, written out; a test changes some of them. */
    private static final class Components {
        Settings settings = Settings.DEFAULTS;
        boolean exactlyOnce = true;
        Duration idleness = FIVE_S;
        String groupId = "vmres-job";
        String prefix = "vmres-job";
        Map<String, String> properties = Map.of();
        Duration heartbeatIdleness = LiveOptions.HEARTBEAT_IDLENESS;
        String keys = null;
        Duration margin = LiveOptions.APPEND_TIME_MARGIN;
    }

    /** The options of the default components with the given change. */
    private static LiveOptions options(Consumer<Components> change) {
        Components c = new Components();
        change.accept(c);
        return new LiveOptions(
                "b:9092",
                c.settings,
                c.exactlyOnce,
                c.idleness,
                c.groupId,
                c.prefix,
                c.properties,
                c.heartbeatIdleness,
                c.keys,
                c.margin);
    }

    @Test
    void eachWithChangesItsOwnComponents() {
        Settings other =
                SettingsParser.applyOverrides(Settings.DEFAULTS, Map.of("maxClockSkew", "PT3S"));
        assertThat(D).isEqualTo(options(c -> {}));
        assertThat(D.withSettings(other)).isEqualTo(options(c -> c.settings = other));
        assertThat(D.withExactlyOnce(false)).isEqualTo(options(c -> c.exactlyOnce = false));
        assertThat(D.withGroupId("g")).isEqualTo(options(c -> c.groupId = "g"));
        assertThat(D.withTransactionalIdPrefix("t")).isEqualTo(options(c -> c.prefix = "t"));
        assertThat(D.withKafkaProperties(Map.of("a", "1")))
                .isEqualTo(options(c -> c.properties = Map.of("a", "1")));
        assertThat(D.withIdleness(Duration.ofSeconds(1), Duration.ofSeconds(9)))
                .isEqualTo(
                        options(
                                c -> {
                                    c.idleness = Duration.ofSeconds(1);
                                    c.heartbeatIdleness = Duration.ofSeconds(9);
                                }));
        assertThat(D.withAppendTimeMargin(null)).isEqualTo(options(c -> c.margin = null));
        assertThat(D.withSigningKeys("/k")).isEqualTo(options(c -> c.keys = "/k"));
    }

    @Test
    void aCopyIsCheckedAsAnyOptions() {
        assertThatThrownBy(() -> D.withAppendTimeMargin(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> D.withIdleness(FIVE_S, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
