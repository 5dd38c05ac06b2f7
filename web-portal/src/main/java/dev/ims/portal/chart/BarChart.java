package dev.ims.portal.chart;

import static dev.ims.portal.chart.Markup.coord;
import static dev.ims.portal.chart.Markup.esc;
import static dev.ims.portal.chart.Markup.withUnit;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A bar chart rendered on the server as an accessible inline SVG, with {@link #table()} carrying the same
 * data for screen readers and pages without graphics. Immutable, so one instance may be rendered from any
 * number of threads.
 *
 * <p>Colours come from a scoped {@code <style>} inside the SVG and the classes {@code bar}, {@code compare},
 * {@code export}, {@code net}, {@code axis}, {@code tick}, {@code grid}, {@code legend}, {@code x-label} and
 * {@code axis-title}, so a page's stylesheet can override them.
 *
 * <p>When a bar has an {@link Bar#exportValue() export}, the chart shows it as a second series below the x axis
 * (the y axis runs negative there, in the same steps), the net (import − export) of each slot as a dot, and the
 * table gains Export and Net columns; a chart without export is drawn exactly as before.
 *
 * @param title what the chart shows; the SVG's accessible name and the table's caption
 * @param unit unit of the values ("kWh"); the y axis title; null reads as empty
 * @param seriesName legend text for the bars; null reads as empty
 * @param compareName legend text for the comparison markers; null reads as "Comparison"
 * @param bars the bars, left to right; null reads as none
 */
public record BarChart(String title, String unit, String seriesName, String compareName, List<Bar> bars) {

    /** Text shown instead of the plot when there are no bars. */
    public static final String NO_DATA = "No data for this period";

    /** The most x axis labels shown; with more bars only every k-th bar is labelled. */
    public static final int MAX_X_LABELS = 16;

    static final int WIDTH = 720;
    static final int HEIGHT = 300;
    static final double PLOT_LEFT = 56;
    static final double PLOT_RIGHT = 708;
    static final double PLOT_TOP = 40;
    static final double PLOT_BOTTOM = 256;

    private static final double BAR_SHARE = 0.7;
    private static final double MARKER_SHARE = 0.9;
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");

    private static final String STYLE = ".ims-chart text{fill:#222;font-size:12px;font-family:system-ui,sans-serif}"
            + ".ims-chart .bar,.ims-chart .legend-bar{fill:#2f6fb0}"
            + ".ims-chart a:hover .bar,.ims-chart a:focus .bar{fill:#1d4f82}"
            + ".ims-chart .compare,.ims-chart .legend-compare{stroke:#c0392b;stroke-width:3;fill:none}"
            + ".ims-chart .axis{stroke:#222;stroke-width:1}"
            + ".ims-chart .grid{stroke:#d0d0d0;stroke-width:1}"
            + ".ims-chart .x-label{text-anchor:middle}"
            + ".ims-chart .tick text{text-anchor:end}"
            + ".ims-chart .export,.ims-chart .legend-export{fill:#d98e04}"
            + ".ims-chart .net,.ims-chart .legend-net{fill:#222}";

    /**
     * The Content-Security-Policy source that allows the chart's inline {@code <style>} element and nothing
     * else: {@code 'sha256-…'} of its text. Pages that show charts need it in {@code style-src}.
     */
    public static String cspStyleSource() {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(STYLE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "'sha256-" + java.util.Base64.getEncoder().encodeToString(digest) + "'";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    public BarChart {
        Objects.requireNonNull(title, "title");
        unit = unit == null ? "" : unit;
        seriesName = seriesName == null ? "" : seriesName;
        compareName = compareName == null || compareName.isBlank() ? "Comparison" : compareName;
        bars = bars == null ? List.of() : List.copyOf(bars);
    }

    /** True when at least one bar has a comparison value. */
    public boolean hasComparison() {
        return bars.stream().anyMatch(b -> b.compareValue() != null);
    }

    /** True when at least one bar has an export value. */
    public boolean hasExport() {
        return bars.stream().anyMatch(b -> b.exportValue() != null);
    }

    /** Sum of the bars' shown export values (0 without export). */
    public double exportTotal() {
        return bars.stream().map(Bar::shownExportValue).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
    }

    /** Sum of the bars' shown values. */
    public double total() {
        return bars.stream().mapToDouble(Bar::shownValue).sum();
    }

    /**
     * The one-sentence summary used as the SVG's description, e.g.
     * "24 bars; total 12.3 kWh; highest 1.9 kWh at 18:00".
     */
    public String summary() {
        if (bars.isEmpty()) {
            return NO_DATA + ".";
        }
        Bar highest = bars.get(0);
        for (Bar b : bars) {
            if (b.shownValue() > highest.shownValue()) {
                highest = b;
            }
        }
        StringBuilder s = new StringBuilder()
                .append(bars.size()).append(bars.size() == 1 ? " bar" : " bars")
                .append("; total ").append(withUnit(total(), unit))
                .append("; highest ").append(withUnit(highest.shownValue(), unit));
        if (!highest.longLabel().isBlank()) {
            s.append(" at ").append(highest.longLabel());
        }
        if (hasComparison()) {
            double compareTotal = bars.stream()
                    .map(Bar::shownCompareValue).filter(Objects::nonNull).mapToDouble(Double::doubleValue).sum();
            s.append("; ").append(compareName).append(" total ").append(withUnit(compareTotal, unit));
        }
        if (hasExport()) {
            s.append("; export total ").append(withUnit(exportTotal(), unit))
                    .append("; net ").append(withUnit(total() - exportTotal(), unit));
        }
        return s.toString();
    }

    /**
     * The chart as an {@code <svg>} element, ids derived from the chart's content. Two identical charts on one
     * page would share ids; give them distinct ones through {@link #svg(String)}.
     */
    public String svg() {
        return svg("ims-chart-" + Integer.toUnsignedString(hashCode(), 36));
    }

    /**
     * The chart as an {@code <svg>} element whose title and description ids start with {@code idPrefix}.
     *
     * @throws IllegalArgumentException when the prefix is not a letter followed by letters, digits, '-' or '_'
     */
    public String svg(String idPrefix) {
        if (idPrefix == null || !ID.matcher(idPrefix).matches()) {
            throw new IllegalArgumentException("id prefix must match " + ID + ", got " + idPrefix);
        }
        String titleId = idPrefix + "-title";
        String descId = idPrefix + "-desc";
        StringBuilder out = new StringBuilder(2048 + bars.size() * 400);
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ims-chart\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(HEIGHT)
                .append("\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" aria-labelledby=\"")
                .append(titleId).append(' ').append(descId).append("\">")
                .append("<title id=\"").append(titleId).append("\">").append(esc(title)).append("</title>")
                .append("<desc id=\"").append(descId).append("\">").append(esc(summary())).append("</desc>")
                .append("<style>").append(STYLE).append("</style>");
        if (bars.isEmpty()) {
            out.append("<text class=\"no-data\" x=\"").append(WIDTH / 2).append("\" y=\"").append(HEIGHT / 2)
                    .append("\" text-anchor=\"middle\">").append(NO_DATA).append("</text>");
        } else {
            List<BigDecimal> ticks = ticks();
            double top = ticks.get(ticks.size() - 1).doubleValue();
            double bottom = -ticks.get(0).doubleValue();
            appendYAxis(out, ticks, top, bottom);
            appendBars(out, top, bottom);
            appendXAxis(out, top, bottom);
            appendLegend(out);
        }
        return out.append("</svg>").toString();
    }

    /**
     * The same data as an HTML {@code <table class="chart-data">}: caption = title, one body row per bar
     * (period, value with unit, and the comparison when any bar has one). Periods of bars with an href link
     * to it, so drill down works without the graphic.
     */
    public String table() {
        boolean compare = hasComparison();
        boolean export = hasExport();
        StringBuilder out = new StringBuilder(512 + bars.size() * 160);
        String series = seriesName.isBlank() ? "Value" : seriesName;
        out.append("<table class=\"chart-data\"><caption>").append(esc(title)).append("</caption>")
                .append("<thead><tr><th scope=\"col\">Period</th><th scope=\"col\">")
                .append(esc(export ? "Import" + (seriesName.isBlank() ? "" : " (" + seriesName + ")") : series)).append("</th>");
        if (export) {
            out.append("<th scope=\"col\">Export</th><th scope=\"col\">Net</th>");
        }
        if (compare) {
            out.append("<th scope=\"col\">").append(esc(compareName)).append("</th>");
        }
        out.append("</tr></thead><tbody>");
        if (bars.isEmpty()) {
            out.append("<tr><td colspan=\"").append(2 + (compare ? 1 : 0) + (export ? 2 : 0)).append("\">").append(NO_DATA).append("</td></tr>");
        }
        for (Bar b : bars) {
            out.append("<tr><th scope=\"row\">");
            if (b.href() != null) {
                out.append("<a href=\"").append(esc(b.href())).append("\">").append(esc(b.longLabel())).append("</a>");
            } else {
                out.append(esc(b.longLabel()));
            }
            out.append("</th><td>").append(esc(withUnit(b.shownValue(), unit))).append("</td>");
            if (export) {
                Double e = b.shownExportValue();
                out.append("<td>").append(e == null ? "" : esc(withUnit(e, unit))).append("</td><td>")
                        .append(e == null ? "" : esc(withUnit(b.shownNetValue(), unit))).append("</td>");
            }
            if (compare) {
                Double c = b.shownCompareValue();
                out.append("<td>").append(c == null ? "" : esc(withUnit(c, unit))).append("</td>");
            }
            out.append("</tr>");
        }
        return out.append("</tbody></table>").toString();
    }

    private double maxShown() {
        double max = 0;
        for (Bar b : bars) {
            max = Math.max(max, b.shownValue());
            Double c = b.shownCompareValue();
            if (c != null) {
                max = Math.max(max, c);
            }
        }
        return max;
    }

    /** The largest shown export, 0 without export. */
    private double maxExport() {
        double max = 0;
        for (Bar b : bars) {
            Double e = b.shownExportValue();
            if (e != null) {
                max = Math.max(max, e);
            }
        }
        return max;
    }

    /**
     * The y axis ticks, ascending. Without export: {@link NiceScale#covering} the largest value, from 0. With export:
     * the step that scale chooses for the larger of the largest import and export, in whole steps up to cover the
     * import and down to cover the export (at least one step each way), so both series share one scale.
     */
    private List<BigDecimal> ticks() {
        if (!hasExport()) {
            return NiceScale.covering(maxShown()).ticks();
        }
        BigDecimal step = NiceScale.covering(Math.max(maxShown(), maxExport())).step();
        int up = Math.max(1, BigDecimal.valueOf(maxShown()).divide(step, 0, java.math.RoundingMode.CEILING).intValue());
        int down = Math.max(1, BigDecimal.valueOf(maxExport()).divide(step, 0, java.math.RoundingMode.CEILING).intValue());
        List<BigDecimal> ticks = new java.util.ArrayList<>(up + down + 1);
        for (int i = -down; i <= up; i++) {
            ticks.add(step.multiply(BigDecimal.valueOf(i)).stripTrailingZeros());
        }
        return ticks;
    }

    /** The y of {@code value} on an axis from {@code -bottom} (the plot's foot) to {@code top}. */
    private static double yOf(double value, double top, double bottom) {
        return PLOT_BOTTOM - (value + bottom) / (top + bottom) * (PLOT_BOTTOM - PLOT_TOP);
    }

    private double slotWidth() {
        return (PLOT_RIGHT - PLOT_LEFT) / bars.size();
    }

    private void appendYAxis(StringBuilder out, List<BigDecimal> ticks, double top, double bottom) {
        out.append("<g class=\"y-axis\">");
        for (BigDecimal tick : ticks) {
            String y = coord(yOf(tick.doubleValue(), top, bottom));
            out.append("<g class=\"tick\"><line class=\"grid\" x1=\"").append(coord(PLOT_LEFT)).append("\" x2=\"")
                    .append(coord(PLOT_RIGHT)).append("\" y1=\"").append(y).append("\" y2=\"").append(y).append("\"/>")
                    .append("<text x=\"").append(coord(PLOT_LEFT - 6)).append("\" y=\"").append(y)
                    .append("\" dy=\"4\">").append(tick.toPlainString()).append("</text></g>");
        }
        out.append("<text class=\"axis-title\" x=\"8\" y=\"20\">").append(esc(unit)).append("</text>")
                .append("<line class=\"axis\" x1=\"").append(coord(PLOT_LEFT)).append("\" x2=\"")
                .append(coord(PLOT_LEFT)).append("\" y1=\"").append(coord(PLOT_TOP)).append("\" y2=\"")
                .append(coord(PLOT_BOTTOM)).append("\"/></g>");
    }

    private void appendBars(StringBuilder out, double top, double bottom) {
        double zero = yOf(0, top, bottom);
        double slot = slotWidth();
        double barWidth = slot * BAR_SHARE;
        double markerWidth = slot * MARKER_SHARE;
        out.append("<g class=\"bars\">");
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double centre = PLOT_LEFT + slot * (i + 0.5);
            double y = yOf(b.shownValue(), top, bottom);
            if (b.href() != null) {
                out.append("<a href=\"").append(esc(b.href())).append("\">");
            }
            out.append("<rect class=\"bar\" x=\"").append(coord(centre - barWidth / 2)).append("\" y=\"")
                    .append(coord(y)).append("\" width=\"").append(coord(barWidth)).append("\" height=\"")
                    .append(coord(zero - y)).append("\"><title>")
                    .append(esc(b.longLabel() + ": " + (b.exportValue() == null ? "" : "import ") + withUnit(b.shownValue(), unit)))
                    .append("</title></rect>");
            Double e = b.shownExportValue();
            if (e != null) {
                out.append("<rect class=\"export\" x=\"").append(coord(centre - barWidth / 2)).append("\" y=\"")
                        .append(coord(zero)).append("\" width=\"").append(coord(barWidth)).append("\" height=\"")
                        .append(coord(yOf(-e, top, bottom) - zero)).append("\"><title>")
                        .append(esc(b.longLabel() + ": export " + withUnit(e, unit))).append("</title></rect>");
                out.append("<circle class=\"net\" cx=\"").append(coord(centre)).append("\" cy=\"")
                        .append(coord(yOf(Math.max(-bottom, b.shownNetValue()), top, bottom))).append("\" r=\"3\"><title>")
                        .append(esc(b.longLabel() + ": net " + withUnit(b.shownNetValue(), unit))).append("</title></circle>");
            }
            Double c = b.shownCompareValue();
            if (c != null) {
                String cy = coord(yOf(c, top, bottom));
                out.append("<line class=\"compare\" x1=\"").append(coord(centre - markerWidth / 2)).append("\" x2=\"")
                        .append(coord(centre + markerWidth / 2)).append("\" y1=\"").append(cy).append("\" y2=\"")
                        .append(cy).append("\"><title>").append(esc(compareName + ": " + withUnit(c, unit)))
                        .append("</title></line>");
            }
            if (b.href() != null) {
                out.append("</a>");
            }
        }
        out.append("</g>");
    }

    private void appendXAxis(StringBuilder out, double top, double bottom) {
        double slot = slotWidth();
        int every = (bars.size() + MAX_X_LABELS - 1) / MAX_X_LABELS;
        String zero = coord(yOf(0, top, bottom));
        out.append("<g class=\"x-axis\"><line class=\"axis\" x1=\"").append(coord(PLOT_LEFT)).append("\" x2=\"")
                .append(coord(PLOT_RIGHT)).append("\" y1=\"").append(zero).append("\" y2=\"")
                .append(zero).append("\"/>");
        for (int i = 0; i < bars.size(); i += every) {
            out.append("<text class=\"x-label\" x=\"").append(coord(PLOT_LEFT + slot * (i + 0.5)))
                    .append("\" y=\"").append(coord(PLOT_BOTTOM + 18)).append("\">")
                    .append(esc(bars.get(i).label())).append("</text>");
        }
        out.append("</g>");
    }

    private void appendLegend(StringBuilder out) {
        boolean compare = hasComparison();
        if (seriesName.isBlank() && !compare && !hasExport()) {
            return;
        }
        double x = 160;
        double y = 14;
        out.append("<g class=\"legend\">");
        if (!seriesName.isBlank()) {
            out.append("<rect class=\"legend-bar\" x=\"").append(coord(x)).append("\" y=\"").append(coord(y))
                    .append("\" width=\"12\" height=\"12\"/><text x=\"").append(coord(x + 18)).append("\" y=\"")
                    .append(coord(y + 10)).append("\">").append(esc(seriesName)).append("</text>");
            x += 18 + 7 * seriesName.length() + 24;
        }
        if (compare) {
            out.append("<line class=\"legend-compare\" x1=\"").append(coord(x)).append("\" x2=\"").append(coord(x + 12))
                    .append("\" y1=\"").append(coord(y + 6)).append("\" y2=\"").append(coord(y + 6))
                    .append("\"/><text x=\"").append(coord(x + 18)).append("\" y=\"").append(coord(y + 10))
                    .append("\">").append(esc(compareName)).append("</text>");
            x += 18 + 7 * compareName.length() + 24;
        }
        if (hasExport()) {
            out.append("<rect class=\"legend-export\" x=\"").append(coord(x)).append("\" y=\"").append(coord(y))
                    .append("\" width=\"12\" height=\"12\"/><text x=\"").append(coord(x + 18)).append("\" y=\"")
                    .append(coord(y + 10)).append("\">Export (below the axis)</text>");
            x += 18 + 7 * 23 + 24;
            out.append("<circle class=\"legend-net\" cx=\"").append(coord(x + 6)).append("\" cy=\"").append(coord(y + 6))
                    .append("\" r=\"3\"/><text x=\"").append(coord(x + 18)).append("\" y=\"").append(coord(y + 10))
                    .append("\">Net</text>");
        }
        out.append("</g>");
    }
}
