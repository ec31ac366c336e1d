package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmres.engine.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsParserTest {

    private static Settings config(String json) throws Exception {
        JsonNode node = Json.STRICT.readTree(json);
        return SettingsParser.applyConfig(Settings.DEFAULTS, node);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"PT30S", "PT0.5S", "P1DT2H", "PT90M", "P2D", "PT1H30M10.25S", "PT0.001S"})
    void goodDurations(String d) {
        assertThat(SettingsParser.parseDuration("x", d)).isPositive();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "PT0S",
                "PT0.0001S",
                "PT1.5M",
                "-PT5S",
                "pt5s",
                "P1W",
                "PT",
                "P",
                "P1DT",
                "PT1M1H",
                "PT1H1H",
                "P1H",
                "PT1D",
                "PT1.S",
                "PT.5S",
                "PT0.1234567890S",
                "PT5",
                " PT5S",
                "PT5S "
            })
    void badDurations(String d) {
        assertThatThrownBy(() -> SettingsParser.parseDuration("x", d))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void durationsAreTruncatedToTheMillisecond() {
        assertThat(SettingsParser.parseDuration("x", "PT1.2349S")).isEqualTo(1234);
        assertThat(SettingsParser.parseDuration("x", "P1DT2H")).isEqualTo(26 * 3_600_000L);
        assertThat(SettingsParser.parseDuration("x", "PT90M")).isEqualTo(5_400_000L);
    }

    @Test
    void metaConfigOverridesDefaults() throws Exception {
        Settings s =
                config(
                        "{\"heartbeatTimeout\":\"PT5S\",\"maxAttempts\":5,\"massSilenceFraction\":1,"
                                + "\"tempThresholdC\":-10.5}");
        assertThat(s.heartbeatTimeoutMs()).isEqualTo(5000);
        assertThat(s.maxAttempts()).isEqualTo(5);
        assertThat(s.massSilenceFraction()).isEqualTo(1.0);
        assertThat(s.tempThresholdC()).isEqualTo(-10.5);
        assertThat(s.outOfOrdernessMs()).isEqualTo(Settings.DEFAULTS.outOfOrdernessMs());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"nope\":1}",
                "{\"heartbeatTimeout\":30}",
                "{\"heartbeatTimeout\":\"PT0S\"}",
                "{\"maxAttempts\":0}",
                "{\"maxAttempts\":2.0}",
                "{\"maxAttempts\":1e1}",
                "{\"maxAttempts\":\"3\"}",
                "{\"massSilenceFraction\":0}",
                "{\"massSilenceFraction\":1.01}",
                "{\"tempThresholdC\":\"90\"}",
                "{\"tempThresholdC\":null}",
                "{\"tempThresholdC\":1e999}"
            })
    void badConfigs(String json) {
        assertThatThrownBy(() -> config(json)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void overridesReadJsonOrAString() {
        Settings s =
                SettingsParser.applyOverrides(
                        Settings.DEFAULTS,
                        Map.of(
                                "heartbeatTimeout",
                                "PT7S",
                                "outOfOrderness",
                                "\"PT3S\"",
                                "maxAttempts",
                                "4"));
        assertThat(s.heartbeatTimeoutMs()).isEqualTo(7000);
        assertThat(s.outOfOrdernessMs()).isEqualTo(3000);
        assertThat(s.maxAttempts()).isEqualTo(4);
        assertThatThrownBy(
                        () ->
                                SettingsParser.applyOverrides(
                                        Settings.DEFAULTS, Map.of("maxAttempts", "4.0")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SettingsParser.applyOverrides(Settings.DEFAULTS, Map.of("x", "1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultsWriteBackAsTheSummaryShowsThem() throws Exception {
        String json = Json.COMPACT.writeValueAsString(SettingsParser.toJson(Settings.DEFAULTS));
        assertThat(json)
                .isEqualTo(
                        "{\"heartbeatTimeout\":\"PT10S\",\"outOfOrderness\":\"PT2S\",\"maxClockSkew\":\"PT1S\",\"massSilenceFraction\":0.5,"
                                + "\"maxInFlightPerTarget\":8,\"maxInFlightPerCluster\":256,\"commandTimeout\":\"PT5M\","
                                + "\"maxAttempts\":3,\"eccWindow\":\"PT24H\",\"eccThreshold\":100,\"tempThresholdC\":90,"
                                + "\"tempWindows\":3,\"evacuationLeadTime\":\"PT30M\",\"smartWindow\":\"PT168H\","
                                + "\"smartPendingRise\":8,\"smartReallocatedRise\":100}");
    }

    @Test
    void writtenSettingsReadBackTheSame() throws Exception {
        Settings s =
                config(
                        "{\"heartbeatTimeout\":\"PT0.5S\",\"tempThresholdC\":85.5,\"eccWindow\":\"P2D\"}");
        Settings again = SettingsParser.applyConfig(Settings.DEFAULTS, SettingsParser.toJson(s));
        assertThat(again).isEqualTo(s);
    }
}
