package dev.ims.model.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogSafeTest {

    @ParameterizedTest
    @ValueSource(strings = {"admin\nINFO forged", "a\r\nb", "x\u0000y", "tab\there", "esc\u001b[31m", "nel\u0085x", "ls\u2028x", "del\u007f"})
    void controlCharacters_areEscaped_soNoValueCanStartALogLine(String hostile) {
        String safe = LogSafe.of(hostile);
        assertThat(safe.chars()).noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028);
        assertThat(safe).contains("\\");
    }

    @Test
    void plainValues_areUnchanged_andLongOnesCut() {
        assertThat(LogSafe.of("IMS-01JD3T9K2Q")).isEqualTo("IMS-01JD3T9K2Q");
        assertThat(LogSafe.of("ünïcödé ok")).isEqualTo("ünïcödé ok");
        assertThat(LogSafe.of(null)).isEqualTo("null");
        assertThat(LogSafe.of("x".repeat(1000))).hasSize(LogSafe.MAX_CHARS + 1).endsWith("…");
        assertThat(LogSafe.of("a\nb")).isEqualTo("a\\nb");
    }
}
