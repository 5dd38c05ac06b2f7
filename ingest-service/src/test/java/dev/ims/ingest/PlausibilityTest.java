package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlausibilityTest {

    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
    private static final Plausibility.Baseline LAST = new Plausibility.Baseline(100, 500.0, T);
    private final Plausibility checks = new Plausibility(IngestLimits.DEFAULTS); // 1 s spacing, slack 10, 100 kW

    private static Reading reading(long seq, long secondsAfter, double kwh) {
        return Reading.of("m-1", seq, T.plusSeconds(secondsAfter), kwh, null, null, null, null, null);
    }

    @ParameterizedTest(name = "seq {0} at +{1} s, {2} kWh -> {3}")
    @CsvSource({
            // later readings
            "101, 60, 500.1, OK",
            "110, 0, 500.0, OK",                          // the slack: 10 readings at the same instant
            "111, 0, 500.0, SEQ_JUMP",
            "160, 60, 500.0, OK",                         // 60 s fit 60 readings, plus the slack
            "171, 60, 500.0, SEQ_JUMP",
            "1000000100, 3600, 500.0, SEQ_JUMP",
            "101, 3600, 600.0, OK",                       // exactly 100 kW for an hour
            "101, 3600, 600.02, IMPLAUSIBLE_CONSUMPTION", // beyond it, past the 0.01 kWh tolerance
            "101, 1, 500.01, OK",                         // within the tolerance
            "101, 900, 1000000000, IMPLAUSIBLE_CONSUMPTION",
            "101, 60, 499.9, REGISTER_BACKWARDS",
            "101, -60, 500.0, OK",                        // a clock stepping back a little: no growth, within the slack
            "101, -60, 500.5, IMPLAUSIBLE_CONSUMPTION",   // but no growth allowed then
            // earlier readings (redelivered out of order)
            "99, -60, 499.9, OK",
            "99, -60, 500.1, REGISTER_BACKWARDS",
            "99, -60, 0.0, IMPLAUSIBLE_CONSUMPTION",      // a tiny register a minute earlier would inflate that hour
            "40, -60, 499.9, OK",
            "20, -60, 499.9, SEQ_JUMP",
            // the same seq: the store decides duplicate or conflict
            "100, 0, 7.0, OK",
    })
    void reading_againstTheMetersLastStoredOne(long seq, long secondsAfter, double kwh, String expected) {
        Plausibility.Verdict v = checks.check(reading(seq, secondsAfter, kwh), LAST);
        if (expected.equals("OK")) {
            assertThat(v).isNull();
        } else {
            assertThat(v).isNotNull();
            assertThat(v.reason()).isEqualTo(RejectReason.valueOf(expected));
            assertThat(v.detail()).contains(Long.toString(seq));
        }
    }

    /** The last stored reading carried export register 40.0 kWh. */
    private static final Plausibility.Baseline EXPORTING =
            new Plausibility.Baseline(100, 500.0, T, new Plausibility.Register(100, 40.0, T));

    private static Reading exporting(long seq, long secondsAfter, double kwh, Double exportKwh) {
        return reading(seq, secondsAfter, kwh).withExport(exportKwh, exportKwh == null ? null : 0.0);
    }

    @ParameterizedTest(name = "seq {0} at +{1} s, export {2} kWh -> {3}")
    @CsvSource({
            "101, 60, 40.1, OK",
            "101, 60, 40.0, OK",                           // a night: no export, the register stands still
            "101, 60, 39.9, REGISTER_BACKWARDS",
            "101, 3600, 140.0, OK",                        // exactly 100 kW fed in for an hour
            "101, 3600, 140.02, IMPLAUSIBLE_CONSUMPTION",
            "101, 900, 1000000000, IMPLAUSIBLE_CONSUMPTION",
            "99, -60, 39.9, OK",                           // out of order: earlier and lower
            "99, -60, 40.1, REGISTER_BACKWARDS",           // earlier but higher
            "100, 0, 7.0, OK",                             // the same seq: the store decides
    })
    void exportRegister_isHeldToTheImportRegistersRules(long seq, long secondsAfter, double exportKwh, String expected) {
        Plausibility.Verdict v = checks.check(exporting(seq, secondsAfter, 500.0, exportKwh), EXPORTING);
        if (expected.equals("OK")) {
            assertThat(v).isNull();
        } else {
            assertThat(v).isNotNull();
            assertThat(v.reason()).isEqualTo(RejectReason.valueOf(expected));
            assertThat(v.detail()).contains("export").contains(Long.toString(seq));
        }
    }

    @Test
    void readingWithoutExport_afterOneWithExport_isPlausible_andKeepsTheExportRegister() {
        Reading noExport = exporting(101, 60, 500.1, null);
        assertThat(checks.check(noExport, EXPORTING)).isNull();
        Plausibility.Baseline next = Plausibility.Baseline.after(EXPORTING, noExport);
        assertThat(next.seq()).isEqualTo(101);
        assertThat(next.export()).isEqualTo(EXPORTING.export());
        // the export register is still checked against the last one known, two readings back
        assertThat(checks.check(exporting(102, 120, 500.2, 39.0), next).reason()).isEqualTo(RejectReason.REGISTER_BACKWARDS);
        assertThat(checks.check(exporting(102, 120, 500.2, 40.5), next)).isNull();
    }

    @Test
    void firstExportOfAMeter_isPlausible_whateverItsValue() {
        assertThat(checks.check(exporting(101, 60, 500.1, 123456.0), LAST)).isNull();
        Plausibility.Baseline next = Plausibility.Baseline.after(LAST, exporting(101, 60, 500.1, 123456.0));
        assertThat(next.export()).isEqualTo(new Plausibility.Register(101, 123456.0, T.plusSeconds(60)));
    }

    @Test
    void baseline_isNotMovedByAnOlderOrRedeliveredReading() {
        assertThat(Plausibility.Baseline.after(EXPORTING, exporting(100, 0, 7.0, 99.0))).isSameAs(EXPORTING);
        assertThat(Plausibility.Baseline.after(EXPORTING, exporting(99, -60, 499.0, 39.0))).isSameAs(EXPORTING);
        assertThat(Plausibility.Baseline.after(null, exporting(5, 0, 1.0, 2.0)).export().kwh()).isEqualTo(2.0);
    }

    @Test
    void importRegisterGoingBackwards_isReported_evenWhenTheExportRegisterIsFine() {
        Plausibility.Verdict v = checks.check(exporting(101, 60, 499.0, 40.5), EXPORTING);
        assertThat(v.reason()).isEqualTo(RejectReason.REGISTER_BACKWARDS);
        assertThat(v.detail()).startsWith("energyKwh");
    }

    @Test
    void firstReadingOfAMeter_isAlwaysPlausible() {
        assertThat(checks.check(reading(1_000_000_000L, 0, 1e8), null)).isNull();
    }

    @Test
    void limits_areConfigurable() {
        IngestLimits tight = new IngestLimits(java.time.Duration.ofMinutes(15), 0, 10, 0, 10, 3,
                IngestLimits.DEFAULT_REJECTED_RETENTION, 1, 1);
        Plausibility p = new Plausibility(tight);
        assertThat(p.check(reading(101, 900, 502.5), LAST)).isNull();            // one reading per 15 min, 10 kW
        assertThat(p.check(reading(102, 900, 500.0), LAST).reason()).isEqualTo(RejectReason.SEQ_JUMP);
        assertThat(p.check(reading(101, 900, 502.6), LAST).reason()).isEqualTo(RejectReason.IMPLAUSIBLE_CONSUMPTION);
    }
}
