package dev.ims.portal.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MonthOutlookTest {

    private static UsageService.Entry day(String d, double kwh, double cost, boolean complete) {
        return new UsageService.Entry(d, kwh, cost, "EUR", 0, 0, complete, cost, 0, 0);
    }

    @Test
    void forecast_isCompleteDaysPlusRecentAverageForTodayAndTheRest() {
        List<UsageService.Entry> days = new ArrayList<>();
        // Nov 1..9 complete at 10 kWh / 3.00 each; today (Nov 10) partial at 4 kWh / 1.20.
        for (int d = 1; d <= 9; d++) {
            days.add(day(String.format("2026-11-%02d", d), 10, 3.00, true));
        }
        days.add(day("2026-11-10", 4, 1.20, false));
        MonthOutlook o = MonthOutlook.of(days, LocalDate.parse("2026-11-10"));
        assertThat(o.kwhToDate()).isEqualTo(94.0);
        assertThat(o.costToDate()).isEqualTo(28.20);
        assertThat(o.basisDays()).isEqualTo(9);
        // 9 done days (27.00) + 21 days left (10th..30th) at 3.00 = 90.00
        assertThat(o.forecastCost()).isEqualTo(90.00);
        assertThat(o.forecastKwh()).isEqualTo(300.0);
    }

    @Test
    void forecast_averagesOnlyTheLastFourteenCompleteDays_evenFromTheMonthBefore() {
        List<UsageService.Entry> days = new ArrayList<>();
        for (int d = 1; d <= 31; d++) {
            days.add(day(String.format("2026-10-%02d", d), d <= 17 ? 100 : 10, d <= 17 ? 30.0 : 3.0, true));
        }
        days.add(day("2026-11-01", 2, 0.60, false));
        MonthOutlook o = MonthOutlook.of(days, LocalDate.parse("2026-11-01"));
        assertThat(o.basisDays()).isEqualTo(14); // Oct 18..31, all at 3.00
        assertThat(o.forecastCost()).isEqualTo(90.00);
        assertThat(o.costToDate()).isEqualTo(0.60);
    }

    @Test
    void noCompleteDay_meansNoForecast() {
        MonthOutlook o = MonthOutlook.of(List.of(day("2026-11-10", 4, 1.20, false)), LocalDate.parse("2026-11-10"));
        assertThat(o.forecastCost()).isNull();
        assertThat(o.costToDate()).isEqualTo(1.20);
    }

    @Test
    void exportingMonth_sumsExportAndCredit_ofThisMonthOnly_andTheCostToDateIsNetOfTheCredit() {
        List<UsageService.Entry> days = new ArrayList<>();
        // Oct 31 exported too, but belongs to last month; Nov 1 had no export register; Nov 2..3 exported.
        days.add(new UsageService.Entry("2026-10-31", 5, 0.50, "EUR", 0, 0, true, 1.50, 0, 0, 10.0, -5.0, 1.00));
        days.add(day("2026-11-01", 5, 1.50, true));
        days.add(new UsageService.Entry("2026-11-02", 4, 0.40, "EUR", 0, 0, true, 1.20, 0, 0, 8.0, -4.0, 0.80));
        days.add(new UsageService.Entry("2026-11-03", 2, 0.30, "EUR", 0, 0, false, 0.60, 0, 0, 3.0, -1.0, 0.30));
        MonthOutlook o = MonthOutlook.of(days, LocalDate.parse("2026-11-03"));
        assertThat(o.exportKwhToDate()).isEqualTo(11.0);
        assertThat(o.creditToDate()).isEqualTo(1.10);
        assertThat(o.costToDate()).isEqualTo(2.20);
    }

    @Test
    void monthWithoutExport_hasNoExportOrCredit() {
        MonthOutlook o = MonthOutlook.of(List.of(day("2026-11-10", 4, 1.20, false)), LocalDate.parse("2026-11-10"));
        assertThat(o.exportKwhToDate()).isNull();
        assertThat(o.creditToDate()).isNull();
    }
}
