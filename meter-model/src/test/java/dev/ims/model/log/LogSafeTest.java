package dev.ims.model.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogSafeTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "alice|alice",
        "/meters/m-1|/meters/m-1",
        "'a\\b'|'a\\\\b'",
    })
    void plainValues_areKept_andBackslashesDoubled(String in, String out) {
        assertThat(LogSafe.of(in)).isEqualTo(out);
    }

    @Test
    void lineBreaks_andControlCharacters_areEscaped() {
        String forged = "bob\r\n12:00:00.000 INFO  AuthRoutes Log-in of admin\tok\u0000\u001b[31m\u0085\u2028";
        String safe = LogSafe.of(forged);
        assertThat(safe).isEqualTo("bob\\r\\n12:00:00.000 INFO  AuthRoutes Log-in of admin\\tok\\u0000\\u001b[31m\\u0085\\u2028");
        assertThat(safe.chars()).noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x85 || c == 0x2028);
    }

    @Test
    void longValues_areCut_sayingHowLong() {
        assertThat(LogSafe.of("x".repeat(10_000))).hasSize(LogSafe.MAX + "…(10000 chars)".length()).endsWith("…(10000 chars)");
    }

    @Test
    void null_isTheWordNull() {
        assertThat(LogSafe.of(null)).isEqualTo("null");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"admin\nINFO forged", "a\r\nb", "x\u0000y", "tab\there", "esc\u001b[31m", "nel\u0085x", "ls\u2028x", "del\u007f"})
    void controlCharacters_areEscaped_soNoValueCanStartALogLine(String hostile) {
        String safe = LogSafe.of(hostile);
        assertThat(safe.chars()).noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028);
        assertThat(safe).contains("\\");
    }
}
