package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every telegram of the corpus through {@link P1Telegram}: the readings its expected file states, or its refusal. */
class P1CorpusTest {

    static Stream<P1Corpus> corpus() {
        return P1Corpus.NAMES.stream().map(P1Corpus::load);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusTelegram_givesItsExpectedReading_orItsRejection(P1Corpus c) {
        if (c.parse().equals("valid")) {
            P1Telegram t = P1Telegram.parse(c.text());
            check(c, "importKwh", t, P1Telegram::importKwh);
            check(c, "exportKwh", t, P1Telegram::exportKwh);
            check(c, "powerW", t, P1Telegram::powerW);
            check(c, "exportPowerW", t, P1Telegram::exportPowerW);
            check(c, "voltageV", t, P1Telegram::voltageV);
            check(c, "currentA", t, P1Telegram::currentA);
        } else {
            P1Rejection.RejectedException e = catchThrowableOfType(P1Rejection.RejectedException.class, () -> P1Telegram.parse(c.text()));
            assertThat(e).as(c.name() + " is refused").isNotNull();
            assertThat(e.reason().name().toLowerCase(java.util.Locale.ROOT)).as(c.name() + ": " + e.getMessage()).isEqualTo(c.parse());
        }
    }

    private static void check(P1Corpus c, String key, P1Telegram t, Function<P1Telegram, Double> value) {
        Double expected = c.value(key);
        Double actual = value.apply(t);
        if (expected == null) {
            assertThat(actual).as(c.name() + " " + key).isNull();
        } else {
            assertThat(actual).as(c.name() + " " + key).isNotNull().isCloseTo(expected, Offset.offset(1e-6));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void corpusTelegramsOfDsmr4AndLater_carryTheCrcOfTheirContent(P1Corpus c) {
        String t = c.text();
        assertThat(t).as("no placeholder left: run P1CorpusSigner").doesNotContain(P1CorpusSigner.PLACEHOLDER);
        if (c.parse().equals("valid") && (t.contains("1-3:0.2.8(4") || t.contains("1-3:0.2.8(5") || t.contains("0-0:96.1.4("))) {
            // Changing any digit of a signed telegram must break it: the CRC covers the content, not just the form.
            String altered = t.replaceFirst("\\(0", "(1");
            assertThat(altered).isNotEqualTo(t);
            assertThat(catchThrowableOfType(P1Rejection.RejectedException.class, () -> P1Telegram.parse(altered)).reason())
                    .isEqualTo(P1Rejection.CRC);
        }
    }
}
