package dev.ims.portal.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.circuit.Schedule;
import dev.ims.portal.circuit.SchedulePresets.Preset;
import dev.ims.portal.tariff.Band;
import dev.ims.portal.tariff.TariffVersion;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulePresetsTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final EnumSet<DayOfWeek> ALL = EnumSet.allOf(DayOfWeek.class);

    /** Night 22–06 at 0.10, peak 17–20 at 0.40, the rest at 0.25. */
    static final TariffVersion DUAL = new TariffVersion(LocalDate.of(2026, 1, 1), "Dual", "EUR", 0.25,
            List.of(new Band("night", 0.10, ALL, 22, 6), new Band("peak", 0.40, ALL, 17, 20)), List.of(), 0, 0);

    static String windows(Schedule s) {
        return s.canonical();
    }

    @Test
    void cheapestBand_isTheCheapestBandsHours_acrossMidnightAsOneWindow() {
        Schedule s = SchedulePresets.resolve(Preset.CHEAPEST_BAND, null, null, DUAL, BERLIN);
        assertThat(s.canonical()).isEqualTo("Europe/Berlin;22:00-06:00;-");
    }

    @Test
    void avoidPeak_isEveryHourButTheDearestBands_asOneWindowThroughMidnight() {
        Schedule s = SchedulePresets.resolve(Preset.AVOID_PEAK, null, null, DUAL, BERLIN);
        assertThat(s.canonical()).isEqualTo("Europe/Berlin;20:00-17:00;-");
    }

    @Test
    void cheapestHours_takesTheNCheapest_tiesToTheEarliest_andCapsAtN() {
        // Night hours all cost 0.10: the earliest 3 are 00, 01, 02.
        Schedule s = SchedulePresets.resolve(Preset.CHEAPEST_HOURS, 3, null, DUAL, BERLIN);
        assertThat(s.canonical()).isEqualTo("Europe/Berlin;00:00-03:00;3");
        // 9 hours: the 8 night hours plus the earliest day hour (06) at 0.25.
        Schedule nine = SchedulePresets.resolve(Preset.CHEAPEST_HOURS, 9, null, DUAL, BERLIN);
        assertThat(nine.canonical()).isEqualTo("Europe/Berlin;22:00-07:00;9");
    }

    @Test
    void custom_takesTheConsumersWindows_andOptionalCap() {
        Schedule s = SchedulePresets.resolve(Preset.CUSTOM, 2, List.of(Schedule.Window.of("13:00", "15:00")), DUAL, BERLIN);
        assertThat(s.canonical()).isEqualTo("Europe/Berlin;13:00-15:00;2");
    }

    @Test
    void flatTariff_cheapestBandIsAllDay_butThereIsNoPeakToAvoid() {
        TariffVersion flat = TariffVersion.flat(LocalDate.of(2026, 1, 1), "EUR", 0.3);
        assertThat(SchedulePresets.resolve(Preset.CHEAPEST_BAND, null, null, flat, BERLIN).canonical()).isEqualTo("Europe/Berlin;00:00-24:00;-");
        assertThatThrownBy(() -> SchedulePresets.resolve(Preset.AVOID_PEAK, null, null, flat, BERLIN))
                .isInstanceOf(SchedulePresets.NotApplicable.class).hasMessageContaining("no peak");
    }

    @Test
    void weekdayOnlyBand_isWeighedByItsDays() {
        // A weekday-only cheap band at 13–15 (0.05) averages to 0.05*5/7 + 0.25*2/7 ≈ 0.107 — dearer than the night's 0.10.
        TariffVersion v = new TariffVersion(LocalDate.of(2026, 1, 1), "Mixed", "EUR", 0.25, List.of(new Band("night", 0.10, ALL, 22, 6),
                new Band("lunch", 0.05, EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), 13, 15)), List.of(), 0, 0);
        assertThat(SchedulePresets.resolve(Preset.CHEAPEST_BAND, null, null, v, BERLIN).canonical()).isEqualTo("Europe/Berlin;22:00-06:00;-");
    }

    @Test
    void badRequests_areRefused() {
        assertThatThrownBy(() -> SchedulePresets.resolve(Preset.CHEAPEST_HOURS, null, null, DUAL, BERLIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchedulePresets.resolve(Preset.CHEAPEST_HOURS, 25, null, DUAL, BERLIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchedulePresets.resolve(Preset.CHEAPEST_BAND, 3, null, DUAL, BERLIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchedulePresets.resolve(Preset.CUSTOM, null, List.of(), DUAL, BERLIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchedulePresets.resolve(Preset.AVOID_PEAK, null, List.of(Schedule.Window.of("01:00", "02:00")), DUAL, BERLIN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hoursScatteredIntoMoreThanEightWindows_areNotApplicable() {
        boolean[] alternate = new boolean[24];
        for (int h = 0; h < 24; h += 2) {
            alternate[h] = true;
        }
        assertThatThrownBy(() -> SchedulePresets.schedule(BERLIN, alternate, 12)).isInstanceOf(SchedulePresets.NotApplicable.class)
                .hasMessageContaining("12 separate windows");
    }
}
