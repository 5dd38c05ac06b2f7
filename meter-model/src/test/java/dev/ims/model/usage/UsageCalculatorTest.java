package dev.ims.model.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageCalculatorTest {

    private static final UsageCalendar BERLIN = new UsageCalendar(ZoneId.of("Europe/Berlin"));

    @Test
    void dayUsage_isTheDifferenceOfConsecutiveEndOfDayRegisters() {
        List<DayRegister> regs = List.of(
                new DayRegister(LocalDate.parse("2026-11-01"), 100.0, 110.0),
                new DayRegister(LocalDate.parse("2026-11-02"), 110.2, 121.5),
                new DayRegister(LocalDate.parse("2026-11-03"), 121.9, 130.0));
        List<PeriodUsage> days = UsageCalculator.daily(
                regs, LocalDate.parse("2026-11-02"), LocalDate.parse("2026-11-03"), LocalDate.parse("2026-11-30"));
        assertThat(days).extracting(PeriodUsage::period).containsExactly("2026-11-02", "2026-11-03");
        assertThat(days).extracting(PeriodUsage::kwh).containsExactly(11.5, 8.5);
        assertThat(days).allMatch(PeriodUsage::complete);
    }

    @Test
    void firstDayWithoutEarlierData_countsFromItsFirstReading_andIsNotComplete() {
        List<PeriodUsage> days = UsageCalculator.daily(
                List.of(new DayRegister(LocalDate.parse("2026-11-02"), 50.0, 57.25)),
                LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-30"), LocalDate.parse("2026-11-30"));
        assertThat(days).singleElement().satisfies(d -> {
            assertThat(d.kwh()).isEqualTo(7.25);
            assertThat(d.complete()).isFalse();
        });
    }

    @Test
    void dayAfterAGap_isNotComplete_andTodayIsNeverComplete() {
        List<PeriodUsage> days = UsageCalculator.daily(List.of(
                        new DayRegister(LocalDate.parse("2026-11-01"), 0, 10),
                        new DayRegister(LocalDate.parse("2026-11-03"), 12, 20),
                        new DayRegister(LocalDate.parse("2026-11-04"), 20, 25)),
                LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-04"), LocalDate.parse("2026-11-04"));
        assertThat(days).extracting(PeriodUsage::complete).containsExactly(false, false, false);
        assertThat(days.get(1).kwh()).isEqualTo(10.0);
    }

    @Test
    void monthUsage_isTheSumOfItsDays() {
        List<PeriodUsage> days = UsageCalculator.daily(List.of(
                        new DayRegister(LocalDate.parse("2026-10-30"), 0, 1.111),
                        new DayRegister(LocalDate.parse("2026-10-31"), 1.2, 2.345),
                        new DayRegister(LocalDate.parse("2026-11-01"), 2.4, 3.5),
                        new DayRegister(LocalDate.parse("2026-11-02"), 3.6, 7.0)),
                LocalDate.parse("2026-10-01"), LocalDate.parse("2026-11-30"), LocalDate.parse("2026-12-15"));
        List<PeriodUsage> months = UsageCalculator.monthly(days, LocalDate.parse("2026-12-15"));
        assertThat(months).extracting(PeriodUsage::period).containsExactly("2026-10", "2026-11");
        assertThat(months.get(0).kwh()).isEqualTo(2.345);
        assertThat(months.get(1).kwh()).isEqualTo(UsageCalculator.roundKwh(7.0 - 2.345));
        assertThat(months).noneMatch(PeriodUsage::complete);
    }

    @Test
    void dayUsage_acrossSpringForward_counts23Hours() {
        LocalDate day = LocalDate.parse("2026-03-29");
        assertThat(BERLIN.hoursIn(day)).isEqualTo(23);
        assertThat(BERLIN.dayOf(Instant.parse("2026-03-28T23:30:00Z"))).isEqualTo(day);
        assertThat(BERLIN.dayOf(Instant.parse("2026-03-29T21:59:00Z"))).isEqualTo(day);
        assertThat(BERLIN.dayOf(Instant.parse("2026-03-29T22:00:00Z"))).isEqualTo(day.plusDays(1));
    }

    @Test
    void dayUsage_acrossFallBack_counts25Hours_andKeepsTheRepeatedHourApart() {
        LocalDate day = LocalDate.parse("2026-10-25");
        assertThat(BERLIN.hoursIn(day)).isEqualTo(25);
        assertThat(BERLIN.dayOf(Instant.parse("2026-10-24T22:00:00Z"))).isEqualTo(day);
        assertThat(BERLIN.dayOf(Instant.parse("2026-10-25T22:59:00Z"))).isEqualTo(day);
        assertThat(BERLIN.dayOf(Instant.parse("2026-10-25T23:00:00Z"))).isEqualTo(day.plusDays(1));
        Instant firstTwoThirty = Instant.parse("2026-10-25T00:30:00Z");
        Instant secondTwoThirty = Instant.parse("2026-10-25T01:30:00Z");
        assertThat(BERLIN.hourStart(firstTwoThirty)).isEqualTo(Instant.parse("2026-10-25T00:00:00Z"));
        assertThat(BERLIN.hourStart(secondTwoThirty)).isEqualTo(Instant.parse("2026-10-25T01:00:00Z"));
    }

    @Test
    void hourStart_inAHalfHourOffsetZone_isTheLocalHour() {
        UsageCalendar india = new UsageCalendar(ZoneId.of("Asia/Kolkata"));
        assertThat(india.hourStart(Instant.parse("2026-11-24T10:45:00Z"))).isEqualTo(Instant.parse("2026-11-24T10:30:00Z"));
    }

    @Test
    void dayExport_isTheDifferenceOfConsecutiveEndOfDayExportRegisters_besideImport() {
        List<DayRegister> regs = List.of(
                new DayRegister(LocalDate.parse("2026-06-01"), 100.0, 110.0, 50.0, 55.0),
                new DayRegister(LocalDate.parse("2026-06-02"), 110.2, 118.5, 55.5, 63.25),
                new DayRegister(LocalDate.parse("2026-06-03"), 118.5, 121.0, 63.25, 63.25));
        List<PeriodUsage> days = UsageCalculator.daily(
                regs, LocalDate.parse("2026-06-02"), LocalDate.parse("2026-06-03"), LocalDate.parse("2026-06-30"));
        assertThat(days).extracting(PeriodUsage::kwh).containsExactly(8.5, 2.5);
        assertThat(days).extracting(PeriodUsage::exportKwh).containsExactly(8.25, 0.0);
        assertThat(days).extracting(PeriodUsage::netKwh).containsExactly(0.25, 2.5);
    }

    @Test
    void dayWithoutExportRegister_hasNoExport_andTheNextExportDayBridgesFromTheLastOneThatHadIt() {
        List<PeriodUsage> days = UsageCalculator.daily(List.of(
                        new DayRegister(LocalDate.parse("2026-06-01"), 0, 10, 5.0, 7.0),
                        new DayRegister(LocalDate.parse("2026-06-02"), 10, 12),
                        new DayRegister(LocalDate.parse("2026-06-03"), 12, 15, 8.0, 9.5)),
                LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-03"), LocalDate.parse("2026-06-30"));
        assertThat(days).extracting(PeriodUsage::exportKwh).containsExactly(2.0, null, 2.5);
        assertThat(days.get(1).netKwh()).isNull();
    }

    @Test
    void meterThatNeverExports_hasNoExportInDaysOrMonths() {
        List<PeriodUsage> days = UsageCalculator.daily(List.of(
                        new DayRegister(LocalDate.parse("2026-06-30"), 0, 10),
                        new DayRegister(LocalDate.parse("2026-07-01"), 10, 12)),
                LocalDate.parse("2026-06-30"), LocalDate.parse("2026-07-01"), LocalDate.parse("2026-07-30"));
        assertThat(days).extracting(PeriodUsage::exportKwh).containsOnlyNulls();
        assertThat(UsageCalculator.monthly(days, LocalDate.parse("2026-07-30"))).extracting(PeriodUsage::exportKwh).containsOnlyNulls();
    }

    @Test
    void monthExport_isTheSumOfItsDaysExport() {
        List<PeriodUsage> days = UsageCalculator.daily(List.of(
                        new DayRegister(LocalDate.parse("2026-06-29"), 0, 1, 0.0, 1.1),
                        new DayRegister(LocalDate.parse("2026-06-30"), 1, 2, 1.1, 3.3),
                        new DayRegister(LocalDate.parse("2026-07-01"), 2, 3),
                        new DayRegister(LocalDate.parse("2026-07-02"), 3, 4, 3.4, 4.0)),
                LocalDate.parse("2026-06-29"), LocalDate.parse("2026-07-02"), LocalDate.parse("2026-07-30"));
        List<PeriodUsage> months = UsageCalculator.monthly(days, LocalDate.parse("2026-07-30"));
        assertThat(months).extracting(PeriodUsage::exportKwh).containsExactly(3.3, 0.7);
        double daySum = days.stream().filter(d -> d.period().startsWith("2026-07") && d.exportKwh() != null)
                .mapToDouble(PeriodUsage::exportKwh).sum();
        assertThat(months.get(1).exportKwh()).isEqualTo(UsageCalculator.roundKwh(daySum));
    }
}
