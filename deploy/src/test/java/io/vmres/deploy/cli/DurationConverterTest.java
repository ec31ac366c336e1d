package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({
        "120s, PT2M",
        "5m, PT5M",
        "PT2M, PT2M",
        "pt90s, PT1M30S",
        "500ms, PT0.5S",
        "1h30m, PT1H30M",
        "2d, PT48H",
        "' 30s ', PT30S",
        "0s, PT0S"
    })
    void readsTheFormsPeopleWrite(String text, String iso) {
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5 m", "m", "5min", "-5s", "PT-5S", "P", "1.5s", "5s3"})
    void refusesAnythingElseWithTheFormsItTakes(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "10 seconds"})
    void aMissingUnitNamesTheAcceptedForms(String text) {
        assertThatThrownBy(() -> DurationConverter.parse(text))
                .hasMessageContaining("120s")
                .hasMessageContaining("PT2M");
    }
}
