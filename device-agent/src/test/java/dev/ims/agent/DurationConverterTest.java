package dev.ims.agent;

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

    @ParameterizedTest
    @CsvSource({"--min-switch-interval=0, 0", "--min-switch-interval=2m, 120"})
    void agentOption_minSwitchInterval_parses_andDefaultsTo60Seconds(String arg, long seconds) {
        AgentMain main = new AgentMain();
        new CommandLine(main).parseArgs(arg);
        assertThat(main.minSwitchInterval).isEqualTo(Duration.ofSeconds(seconds));
        AgentMain defaults = new AgentMain();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.minSwitchInterval).isEqualTo(Duration.ofSeconds(60));
    }
}
