package dev.ims.portal.alarm;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a meter's day is abnormal against its own recent pattern: the day's kWh against the median of the previous
 * {@value #BASIS_DAYS} days that have data (at least {@value #MIN_HISTORY_DAYS} of them, else no judgement), with a
 * robust spread: {@value #MAD_FACTOR} × the scaled median absolute deviation (1.4826 × MAD estimates a standard deviation
 * and ignores a few odd days), but at least {@value #RELATIVE_FLOOR} of the median and {@value #ABSOLUTE_FLOOR_KWH} kWh, so
 * that a very regular meter is not alarmed for ordinary wobble. Pure.
 */
public final class ConsumptionPattern {

    public static final int BASIS_DAYS = 28;
    public static final int MIN_HISTORY_DAYS = 14;
    static final double MAD_FACTOR = 4.0;
    static final double RELATIVE_FLOOR = 0.5;
    static final double ABSOLUTE_FLOOR_KWH = 1.0;
    private static final double MAD_TO_SIGMA = 1.4826;

    private ConsumptionPattern() {}

    /**
     * One day judged.
     *
     * @param median the basis days' median kWh
     * @param low the expected range's lower end (never below 0)
     * @param high its upper end
     * @param basisDays how many days with data the basis had
     */
    public record Judgement(LocalDate day, double kwh, double median, double low, double high, int basisDays) {

        public boolean abnormal() {
            return kwh < low || kwh > high;
        }

        public String text() {
            return String.format(java.util.Locale.ROOT, "%s used %.2f kWh; expected %.2f to %.2f kWh (median %.2f kWh of the %d previous days with data)",
                    day, kwh, low, high, median, basisDays);
        }
    }

    /** The judgement of {@code kwh} on {@code day} against {@code basis} (the previous days' kWh), or null with too little basis. */
    public static Judgement judge(LocalDate day, double kwh, List<Double> basis) {
        if (basis.size() < MIN_HISTORY_DAYS) {
            return null;
        }
        double median = median(basis);
        List<Double> deviations = new ArrayList<>(basis.size());
        basis.forEach(v -> deviations.add(Math.abs(v - median)));
        double spread = Math.max(MAD_FACTOR * MAD_TO_SIGMA * median(deviations), Math.max(RELATIVE_FLOOR * median, ABSOLUTE_FLOOR_KWH));
        return new Judgement(day, round(kwh), round(median), round(Math.max(0, median - spread)), round(median + spread), basis.size());
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double kwh) {
        return Math.round(kwh * 1000) / 1000.0;
    }
}
