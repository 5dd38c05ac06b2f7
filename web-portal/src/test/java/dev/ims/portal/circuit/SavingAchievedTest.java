package dev.ims.portal.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.portal.tariff.Band;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.HourUsage;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Saving achieved, by hand: 0.20 EUR/kWh, peak 17:00–22:00 at 0.40, 20 % VAT, so a kWh costs 0.24 off-peak and 0.48 in
 * the peak; a month is 365 / 12 = 30.41667 days.
 */
class SavingAchievedTest {

    static final LocalDate SET_ON = LocalDate.parse("2026-10-10");
    static final TariffBook BOOK = new TariffBook(List.of(new TariffVersion(LocalDate.parse("2026-01-01"), "Dual rate", "EUR", 0.20,
            List.of(new Band("peak", 0.40, EnumSet.allOf(DayOfWeek.class), 17, 22)), List.of(), 0, 20)));

    static HourUsage hour(LocalDate day, int hour, double kwh) {
        return new HourUsage(day.atStartOfDay(ZoneOffset.UTC).plusHours(hour).toInstant(), day, hour, kwh);
    }

    @Test
    void peakUseMovedToTheNight_savesTheDifference_perMonth() {
        // Before: 2 kWh at 19:00 on each of 2 days = 4 kWh for 4 × 0.48 = 1.92, 0.48 a kWh.
        // After: the same 2 kWh a day at 02:00 = 4 kWh for 0.96. Saving 4 × 0.48 − 0.96 = 0.96 in 2 days → 14.60 a month.
        SavingAchieved s = SavingAchieved.of(BOOK, List.of(hour(SET_ON.minusDays(2), 19, 2), hour(SET_ON.minusDays(1), 19, 2)),
                List.of(hour(SET_ON.plusDays(1), 2, 2), hour(SET_ON.plusDays(2), 2, 2)), 2);
        assertThat(s.beforeKwh()).isEqualTo(4.0);
        assertThat(s.beforeCost()).isEqualTo(1.92);
        assertThat(s.averagePriceBefore()).isEqualTo(0.48);
        assertThat(s.afterCost()).isEqualTo(0.96);
        assertThat(s.savingPerMonth()).isEqualTo(14.60);
    }

    @Test
    void moreUseAfterwards_isPricedAtTheOldAverage_soUsingMoreIsNotALoss() {
        // Before: 1 kWh peak (0.48) + 1 kWh night (0.24) = 0.72 for 2 kWh, 0.36 a kWh. After (1 day): 3 kWh at night = 0.72.
        // Saving 3 × 0.36 − 0.72 = 0.36 in 1 day → 0.36 × 30.41667 = 10.95 a month.
        SavingAchieved s = SavingAchieved.of(BOOK, List.of(hour(SET_ON.minusDays(1), 18, 1), hour(SET_ON.minusDays(1), 3, 1)),
                List.of(hour(SET_ON.plusDays(1), 3, 3)), 1);
        assertThat(s.averagePriceBefore()).isEqualTo(0.36);
        assertThat(s.savingPerMonth()).isEqualTo(10.95);
    }

    @Test
    void useMovedIntoThePeak_isANegativeSaving() {
        // Before: 1 kWh at night (0.24). After: 1 kWh at 20:00 (0.48): 1 × 0.24 − 0.48 = −0.24 a day → −7.30 a month.
        SavingAchieved s = SavingAchieved.of(BOOK, List.of(hour(SET_ON.minusDays(1), 1, 1)), List.of(hour(SET_ON.plusDays(1), 20, 1)), 1);
        assertThat(s.savingPerMonth()).isEqualTo(-7.30);
    }

    @Test
    void noUseBefore_hasNoPriceToCompareWith() {
        SavingAchieved s = SavingAchieved.of(BOOK, List.of(), List.of(hour(SET_ON.plusDays(1), 2, 2)), 1);
        assertThat(s.savingPerMonth()).isNull();
        assertThat(s.averagePriceBefore()).isNull();
        assertThat(s.afterCost()).isEqualTo(0.48);
    }

    @Test
    void zeroDays_isRefused() {
        assertThatThrownBy(() -> SavingAchieved.of(BOOK, List.of(), List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
