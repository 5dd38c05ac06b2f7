package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IngestLimitsTest {

    @Test
    void environment_withoutSettings_givesTheDefaults() {
        assertThat(IngestLimits.from(Map.of())).isEqualTo(IngestLimits.DEFAULTS);
    }

    @Test
    void environment_overridesEachDocumentedSetting() {
        IngestLimits l = IngestLimits.from(Map.of("INGEST_MAX_POWER_KW", "43.5", "INGEST_MIN_READING_SPACING_MS", "900000",
                "INGEST_SEQ_SLACK", "2", "REJECTED_RETENTION_DAYS", "7", "REJECTED_PER_SOURCE_PER_MINUTE", "5", "REJECTED_PER_MINUTE", "50"));
        assertThat(l.maxPowerKw()).isEqualTo(43.5);
        assertThat(l.minReadingSpacing()).isEqualTo(Duration.ofMinutes(15));
        assertThat(l.seqSlack()).isEqualTo(2);
        assertThat(l.rejectedRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(l.rejectedPerSourcePerMinute()).isEqualTo(5);
        assertThat(l.rejectedPerMinute()).isEqualTo(50);
    }

    @ParameterizedTest
    @CsvSource({"INGEST_MAX_POWER_KW, lots", "INGEST_MAX_POWER_KW, -1", "INGEST_MAX_POWER_KW, 0", "INGEST_MAX_POWER_KW, Infinity",
            "INGEST_MIN_READING_SPACING_MS, 0", "INGEST_SEQ_SLACK, 1.5", "REJECTED_RETENTION_DAYS, 0", "REJECTED_PER_MINUTE, 0",
            "REJECTED_PER_SOURCE_PER_MINUTE, -3", "REJECTED_PER_MINUTE, 99999999999"})
    void badValue_failsNamingTheVariable(String name, String value) {
        assertThatThrownBy(() -> IngestLimits.from(Map.of(name, value))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(name);
    }
}
