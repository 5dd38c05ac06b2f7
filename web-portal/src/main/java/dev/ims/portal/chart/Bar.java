package dev.ims.portal.chart;

/**
 * One bar of a {@link BarChart}.
 *
 * @param label short axis label ("14", "Mon 3", "Nov"); null reads as empty
 * @param longLabel full text for tooltips and screen readers ("2026-11-14"); null falls back to the label
 * @param value the measured amount; negative, NaN or infinite values are drawn and summed as 0
 * @param compareValue the same slot in the comparison period, or null when there is none
 * @param href where clicking the bar leads (drill down), or null; a URL the server built, not user input
 * @param exportValue the amount exported in the slot (drawn below the axis), or null when the slot has no export;
 *     negative, NaN or infinite values are drawn and summed as 0
 */
public record Bar(String label, String longLabel, double value, Double compareValue, String href, Double exportValue) {

    public Bar {
        label = label == null ? "" : label;
        longLabel = longLabel == null ? label : longLabel;
    }

    public Bar(String label, String longLabel, double value, Double compareValue, String href) {
        this(label, longLabel, value, compareValue, href, null);
    }

    public Bar(String label, String longLabel, double value) {
        this(label, longLabel, value, null, null, null);
    }

    /** The export as drawn (never negative, never NaN), or null when the slot has no export. */
    public Double shownExportValue() {
        return exportValue == null ? null : sane(exportValue);
    }

    /** Import minus export as shown, or null when the slot has no export. */
    public Double shownNetValue() {
        return exportValue == null ? null : shownValue() - sane(exportValue);
    }

    /** The value as drawn: never negative, never NaN. */
    public double shownValue() {
        return sane(value);
    }

    /** The comparison value as drawn, or null when there is none. */
    public Double shownCompareValue() {
        return compareValue == null ? null : sane(compareValue);
    }

    static double sane(double v) {
        return Double.isFinite(v) && v > 0 ? v : 0;
    }
}
