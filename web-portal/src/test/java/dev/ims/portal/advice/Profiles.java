package dev.ims.portal.advice;

import dev.ims.portal.tariff.Band;
import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.HourUsage;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.UnaryOperator;

/** Synthetic load profiles and tariffs for the advice tests. */
final class Profiles {

    static final LocalDate FIRST_DAY = LocalDate.parse("2026-10-01");

    private Profiles() {}

    /**
     * {@code days} days from {@link #FIRST_DAY}: every hour draws {@code baseW} on average, except
     * hours 18, 19, 20 and 21, which draw {@code eveningPeakW}.
     */
    static List<HourUsage> profile(double baseW, double eveningPeakW, int days) {
        List<HourUsage> out = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            LocalDate day = FIRST_DAY.plusDays(d);
            for (int h = 0; h < 24; h++) {
                double w = h >= 18 && h <= 21 ? eveningPeakW : baseW;
                out.add(hour(day, h, w / 1000));
            }
        }
        return out;
    }

    static HourUsage hour(LocalDate day, int hour, double kwh) {
        return new HourUsage(day.atStartOfDay(ZoneOffset.UTC).plusHours(hour).toInstant(), day, hour, kwh);
    }

    /** The same profile with every hour of day number {@code dayIndex} (0-based) multiplied by {@code factor}. */
    static List<HourUsage> scaleDay(List<HourUsage> hours, int dayIndex, double factor) {
        LocalDate target = FIRST_DAY.plusDays(dayIndex);
        return map(hours, h -> h.day().equals(target) ? hour(h.day(), h.hour(), h.kwh() * factor) : h);
    }

    static List<HourUsage> map(List<HourUsage> hours, UnaryOperator<HourUsage> f) {
        return hours.stream().map(f).toList();
    }

    static TariffVersion flat(double price) {
        return TariffVersion.flat(FIRST_DAY, "EUR", price);
    }

    /** 0.20 EUR/kWh, but 0.40 EUR/kWh in a "peak" band 17:00–22:00 every day; 20 % VAT. */
    static TariffVersion timeOfUse() {
        Band peak = new Band("peak", 0.40, EnumSet.allOf(DayOfWeek.class), 17, 22);
        return new TariffVersion(FIRST_DAY, "Home dual rate 2026", "EUR", 0.20, List.of(peak), List.of(), 0, 20);
    }

    /**
     * {@link #profile} for a home with solar panels: in the local hours {@code [exportFrom, exportTo)} the meter
     * imports {@code importInExportHoursKwh} and exports {@code exportKwh} each hour; every other hour exports 0
     * (the export register is there, it just does not move).
     */
    static List<HourUsage> prosumer(double baseW, double eveningPeakW, int days, int exportFrom, int exportTo, double exportKwh,
            double importInExportHoursKwh) {
        return map(profile(baseW, eveningPeakW, days), h -> h.hour() >= exportFrom && h.hour() < exportTo
                ? withExport(hour(h.day(), h.hour(), importInExportHoursKwh), exportKwh)
                : withExport(h, 0));
    }

    static HourUsage withExport(HourUsage h, double exportKwh) {
        return new HourUsage(h.start(), h.day(), h.hour(), h.kwh(), exportKwh);
    }
}
