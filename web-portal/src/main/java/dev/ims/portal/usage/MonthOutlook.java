package dev.ims.portal.usage;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

/**
 * The current month so far and where it is heading.
 *
 * @param kwhToDate units of the month so far, today included
 * @param costToDate the bill so far, today included, less the feed-in credit
 * @param exportKwhToDate units exported in the month so far; null when the meter exported on no day of it
 * @param creditToDate the feed-in credit of the month so far (already taken off {@code costToDate}); null
 *     when the meter exported on no day of it
 * @param forecastKwh the month's expected units, or null when there is no complete day to go by
 * @param forecastCost the month's expected bill: the complete days' costs, plus the average cost of the
 *     recent complete days for today and each remaining day (costs net of the feed-in credit, so a
 *     prosumer's forecast counts on export like that of the recent days); null when there is no complete day
 * @param basisDays how many complete days the average came from (at most {@value #BASIS_DAYS})
 */
public record MonthOutlook(double kwhToDate, double costToDate, Double forecastKwh, Double forecastCost, int basisDays,
        Double exportKwhToDate, Double creditToDate) {

    public MonthOutlook(double kwhToDate, double costToDate, Double forecastKwh, Double forecastCost, int basisDays) {
        this(kwhToDate, costToDate, forecastKwh, forecastCost, basisDays, null, null);
    }

    public static final int BASIS_DAYS = 14;

    /**
     * @param days daily entries in ascending order covering at least the month so far and, for the average,
     *     up to {@value #BASIS_DAYS} days before today
     */
    public static MonthOutlook of(List<UsageService.Entry> days, LocalDate today) {
        YearMonth month = YearMonth.from(today);
        BigDecimal kwh = BigDecimal.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        BigDecimal export = null;
        BigDecimal credit = null;
        BigDecimal doneKwh = BigDecimal.ZERO;
        BigDecimal doneCost = BigDecimal.ZERO;
        BigDecimal basisKwh = BigDecimal.ZERO;
        BigDecimal basisCost = BigDecimal.ZERO;
        int basis = 0;
        for (UsageService.Entry e : days) {
            LocalDate day = LocalDate.parse(e.period());
            if (day.isAfter(today)) {
                continue;
            }
            if (YearMonth.from(day).equals(month)) {
                kwh = kwh.add(BigDecimal.valueOf(e.kwh()));
                cost = cost.add(BigDecimal.valueOf(e.cost()));
                if (e.exports()) {
                    export = (export == null ? BigDecimal.ZERO : export).add(BigDecimal.valueOf(e.exportKwh()));
                    credit = (credit == null ? BigDecimal.ZERO : credit).add(BigDecimal.valueOf(e.credit() == null ? 0 : e.credit()));
                }
                if (day.isBefore(today)) {
                    doneKwh = doneKwh.add(BigDecimal.valueOf(e.kwh()));
                    doneCost = doneCost.add(BigDecimal.valueOf(e.cost()));
                }
            }
            if (e.complete() && day.isBefore(today) && !day.isBefore(today.minusDays(BASIS_DAYS))) {
                basisKwh = basisKwh.add(BigDecimal.valueOf(e.kwh()));
                basisCost = basisCost.add(BigDecimal.valueOf(e.cost()));
                basis++;
            }
        }
        if (basis == 0) {
            return new MonthOutlook(kwh.doubleValue(), cost.doubleValue(), null, null, 0, value(export), value(credit));
        }
        int left = month.lengthOfMonth() - today.getDayOfMonth() + 1;
        BigDecimal n = BigDecimal.valueOf(basis);
        double fKwh = doneKwh.add(basisKwh.multiply(BigDecimal.valueOf(left)).divide(n, 3, java.math.RoundingMode.HALF_UP)).doubleValue();
        double fCost = doneCost.add(basisCost.multiply(BigDecimal.valueOf(left)).divide(n, 2, java.math.RoundingMode.HALF_UP)).doubleValue();
        return new MonthOutlook(kwh.doubleValue(), cost.doubleValue(), fKwh, fCost, basis, value(export), value(credit));
    }

    private static Double value(BigDecimal d) {
        return d == null ? null : d.doubleValue();
    }
}
