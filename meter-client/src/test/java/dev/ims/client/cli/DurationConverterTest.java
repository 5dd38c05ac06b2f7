package dev.ims.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command-line durations of {@code --min-switch-interval}: seconds, a unit, or ISO-8601. */
class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @ParameterizedTest(name = "{0} = {1} s")
    @CsvSource({"0, 0", "60, 60", "90s, 90", "5m, 300", "1h, 3600", "PT1M30S, 90", "pt2m, 120"})
    void duration_isReadAsSecondsAUnitOrIso8601(String text, long seconds) {
        assertThat(converter.convert(text)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "PT-1S", "soon", "5 minutes", "1d", ""})
    void duration_thatIsNegativeOrUnreadable_isRefusedWithAMessage(String text) {
        assertThatThrownBy(() -> converter.convert(text)).isInstanceOf(CommandLine.TypeConversionException.class).hasMessageContaining("'" + text + "'");
    }
}
