package dev.ims.portal.advice;

import java.util.Objects;
import java.util.Set;

/**
 * One energy-saving suggestion.
 *
 * @param kind one of {@link #BASE_LOAD}, {@link #SHIFT_TO_CHEAP_HOURS}, {@link #UNUSUAL_DAY},
 *     {@link #ABOVE_SIMILAR_HOMES}, {@link #SELF_CONSUMPTION}
 * @param title a short call to action
 * @param evidence a plain-English sentence quoting the consumer's own figures that led to it
 * @param kwhPerYear the estimated kWh a year it concerns (saved, or for a shift or self-consumption: moved), whole
 *     kWh, &gt; 0
 * @param moneyPerYear the estimated yearly saving including VAT, in cents precision, &gt; 0
 * @param currency ISO 4217 code of {@code moneyPerYear}
 * @param action the schedule that would realise it on one of the meter's circuits, or null (no circuit data, or none
 *     that could carry it)
 */
public record Suggestion(
        String kind, String title, String evidence, double kwhPerYear, double moneyPerYear, String currency, Action action) {

    /**
     * A one-click action: give {@code circuit} the schedule {@code preset}.
     *
     * @param circuit the circuit's ID
     * @param circuitName its display name
     * @param preset the schedule preset that realises it ({@code CHEAPEST_BAND})
     * @param peakKwhPerMonth the circuit's kWh in the dearest band, per month (365/12 days), 0.1 kWh precision
     * @param estimatedSavingPerMonth what moving exactly those kWh into the preset's hours saves a month, VAT included,
     *     cents precision, &gt; 0
     * @param lastDay the same offer on the circuit's last complete day, or null when no complete day of its use is known
     */
    public record Action(String circuit, String circuitName, String preset, double peakKwhPerMonth, double estimatedSavingPerMonth,
            DayPrediction lastDay) {

        /** An action without a per-day prediction. */
        public Action(String circuit, String circuitName, String preset, double peakKwhPerMonth, double estimatedSavingPerMonth) {
            this(circuit, circuitName, preset, peakKwhPerMonth, estimatedSavingPerMonth, null);
        }

        public Action {
            Objects.requireNonNull(circuit, "circuit");
            Objects.requireNonNull(circuitName, "circuitName");
            Objects.requireNonNull(preset, "preset");
            if (!(estimatedSavingPerMonth > 0) || Double.isInfinite(estimatedSavingPerMonth)) {
                throw new IllegalArgumentException("estimatedSavingPerMonth must be a positive number, got " + estimatedSavingPerMonth);
            }
        }
    }

    /**
     * What the circuit's use of one complete local day cost, and what the same kWh would have cost run only in the preset's
     * hours: the prediction a consumer can check the day after on the circuit's own day cost.
     *
     * @param day the local day
     * @param kwh the circuit's kWh that day, 0.01 kWh precision, &gt; 0
     * @param cost what they cost: each hour's kWh at its band price, plus VAT, rounded to cents once (as the circuit's own
     *     day cost is billed)
     * @param costInPresetHours the same unrounded kWh at the mean band price of the preset's hours that weekday, plus VAT,
     *     rounded to cents
     */
    public record DayPrediction(java.time.LocalDate day, double kwh, double cost, double costInPresetHours) {

        public DayPrediction {
            Objects.requireNonNull(day, "day");
            if (!(kwh > 0) || Double.isInfinite(kwh) || !(cost >= 0) || !(costInPresetHours >= 0)) {
                throw new IllegalArgumentException("a day prediction needs kWh > 0 and costs >= 0");
            }
        }

        /** {@code cost − costInPresetHours}, cents precision (negative when that day was already cheap). */
        public double saving() {
            return java.math.BigDecimal.valueOf(cost).subtract(java.math.BigDecimal.valueOf(costInPresetHours)).doubleValue();
        }
    }

    /** A suggestion without an action. */
    public Suggestion(String kind, String title, String evidence, double kwhPerYear, double moneyPerYear, String currency) {
        this(kind, title, evidence, kwhPerYear, moneyPerYear, currency, null);
    }

    /** Consumption that never switches off at night, above what a typical home idles at. */
    public static final String BASE_LOAD = "BASE_LOAD";
    /** Use in the dearest hours of a time-of-use tariff that could run in the cheapest ones. */
    public static final String SHIFT_TO_CHEAP_HOURS = "SHIFT_TO_CHEAP_HOURS";
    /** Recent days far above the consumer's own usual daily use. */
    public static final String UNUSUAL_DAY = "UNUSUAL_DAY";
    /** Mean daily use well above the median of other meters. */
    public static final String ABOVE_SIMILAR_HOMES = "ABOVE_SIMILAR_HOMES";

    /** A prosumer's use outside their export hours that could run on their own solar inside them. */
    public static final String SELF_CONSUMPTION = "SELF_CONSUMPTION";

    private static final Set<String> KINDS = Set.of(BASE_LOAD, SHIFT_TO_CHEAP_HOURS, UNUSUAL_DAY, ABOVE_SIMILAR_HOMES, SELF_CONSUMPTION);

    public Suggestion {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown suggestion kind " + kind);
        }
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(currency, "currency");
        if (!(kwhPerYear > 0) || Double.isInfinite(kwhPerYear)) {
            throw new IllegalArgumentException("kwhPerYear must be a positive number, got " + kwhPerYear);
        }
        if (!(moneyPerYear > 0) || Double.isInfinite(moneyPerYear)) {
            throw new IllegalArgumentException("moneyPerYear must be a positive number, got " + moneyPerYear);
        }
    }
}
