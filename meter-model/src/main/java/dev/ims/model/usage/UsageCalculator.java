package dev.ims.model.usage;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Daily and monthly units from end-of-day registers. Pure functions; thread-safe. */
public final class UsageCalculator {

    private UsageCalculator() {}

    /**
     * Units of each day that has readings. Export follows the same rule on the export register: a day's
     * export is its end-of-day export register minus the end-of-day export register of the last earlier
     * day that had one (its own first export register when there is none), so export across a gap lands
     * in the first day after it. Days without an export register have none ({@code exportKwh} null).
     *
     * @param registers days in ascending order; the first may lie before the wanted range, to give the
     *     first wanted day its start register (callers fetch the last day before the range too)
     * @param from first wanted day (inclusive)
     * @param to last wanted day (inclusive)
     * @param today the current local day: it and later days are not complete yet
     */
    public static List<PeriodUsage> daily(List<DayRegister> registers, LocalDate from, LocalDate to, LocalDate today) {
        List<PeriodUsage> out = new ArrayList<>();
        DayRegister previous = null;
        Double previousExport = null;
        for (DayRegister r : registers) {
            if (previous != null && !r.day().isAfter(previous.day())) {
                throw new IllegalArgumentException("registers must be in ascending day order: " + previous.day()
                        + " then " + r.day());
            }
            if (!r.day().isBefore(from) && !r.day().isAfter(to)) {
                double start = previous == null ? r.minKwh() : previous.maxKwh();
                boolean contiguous = previous != null && previous.day().equals(r.day().minusDays(1));
                out.add(new PeriodUsage(
                        r.day().toString(),
                        roundKwh(Math.max(0, r.maxKwh() - start)),
                        start,
                        r.maxKwh(),
                        contiguous && r.day().isBefore(today),
                        r.exports() ? roundKwh(Math.max(0, r.maxExportKwh() - (previousExport == null ? r.minExportKwh() : previousExport)))
                                : null));
            }
            previous = r;
            if (r.exports()) {
                previousExport = r.maxExportKwh();
            }
        }
        return out;
    }

    /**
     * Months as the sums of their days from {@link #daily}, so that the days of a month always add up to
     * the month. A month is complete when it has ended and all its days are complete and present. A month's
     * export is the sum of its days' that have one, null when none has.
     */
    public static List<PeriodUsage> monthly(List<PeriodUsage> days, LocalDate today) {
        Map<YearMonth, List<PeriodUsage>> byMonth = new LinkedHashMap<>();
        for (PeriodUsage d : days) {
            byMonth.computeIfAbsent(YearMonth.from(LocalDate.parse(d.period())), m -> new ArrayList<>()).add(d);
        }
        List<PeriodUsage> out = new ArrayList<>();
        byMonth.forEach((month, list) -> {
            double kwh = 0;
            Double export = null;
            boolean complete = list.size() == month.lengthOfMonth() && month.atEndOfMonth().isBefore(today);
            for (PeriodUsage d : list) {
                kwh += d.kwh();
                if (d.exportKwh() != null) {
                    export = (export == null ? 0 : export) + d.exportKwh();
                }
                complete &= d.complete();
            }
            out.add(new PeriodUsage(month.toString(), roundKwh(kwh), list.get(0).fromKwh(),
                    list.get(list.size() - 1).toKwh(), complete, export == null ? null : roundKwh(export)));
        });
        return out;
    }

    /** Rounded to the Wh, the resolution of the register. */
    public static double roundKwh(double kwh) {
        return Math.round(kwh * 1000.0) / 1000.0;
    }
}
