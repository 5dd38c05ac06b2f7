package dev.ims.portal.chart;

import static dev.ims.portal.chart.Markup.coord;
import static dev.ims.portal.chart.Markup.esc;
import static dev.ims.portal.chart.Markup.withUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A small line of recent values (a sparkline) rendered on the server as inline SVG: values left to right at equal
 * steps, the y axis from 0 to the largest value, a missing value (null) as a gap. Colours are presentation attributes,
 * not a {@code <style>}, so it needs nothing from the page's Content-Security-Policy. The accessible name states the
 * latest, smallest and largest value. Immutable.
 *
 * @param title what it shows, e.g. "Messages in per second"
 * @param unit the values' unit ("msg/s"); null reads as empty
 * @param values oldest first; null entries are gaps; null reads as none
 */
public record Sparkline(String title, String unit, List<Double> values) {

    public static final int WIDTH = 240;
    public static final int HEIGHT = 40;
    private static final double PAD = 2;

    public Sparkline {
        Objects.requireNonNull(title, "title");
        unit = unit == null ? "" : unit;
        values = values == null ? List.of() : java.util.Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** The SVG element. */
    public String svg() {
        Double latest = null;
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Double v : values) {
            if (v != null && Double.isFinite(v)) {
                latest = v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        String label = latest == null ? title + ": no data yet"
                : title + ": now " + withUnit(latest, unit) + ", lowest " + withUnit(min, unit) + ", highest " + withUnit(max, unit)
                        + " (" + values.size() + " samples)";
        StringBuilder out = new StringBuilder(256 + values.size() * 12);
        out.append("<svg class=\"sparkline\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" aria-label=\"").append(esc(label)).append("\"><title>").append(esc(label)).append("</title>")
                .append("<line x1=\"0\" y1=\"").append(coord(HEIGHT - PAD)).append("\" x2=\"").append(WIDTH).append("\" y2=\"")
                .append(coord(HEIGHT - PAD)).append("\" stroke=\"#d0d0d0\" stroke-width=\"1\"/>");
        double step = values.size() > 1 ? (WIDTH - 2 * PAD) / (values.size() - 1) : 0;
        double top = max > 0 ? max : 1;
        StringBuilder points = new StringBuilder();
        int inRun = 0;
        for (int i = 0; i <= values.size(); i++) {
            Double v = i < values.size() ? values.get(i) : null;
            if (v != null && Double.isFinite(v)) {
                double x = values.size() > 1 ? PAD + i * step : WIDTH / 2.0;
                double y = HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD);
                points.append(inRun > 0 ? " " : "").append(coord(x)).append(',').append(coord(y));
                inRun++;
            } else if (inRun > 0) {
                if (inRun == 1) {
                    String[] xy = points.toString().split(",");
                    out.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1])
                            .append("\" r=\"1.5\" fill=\"#2f6fb0\"/>");
                } else {
                    out.append("<polyline fill=\"none\" stroke=\"#2f6fb0\" stroke-width=\"1.5\" points=\"").append(points).append("\"/>");
                }
                points.setLength(0);
                inRun = 0;
            }
        }
        return out.append("</svg>").toString();
    }
}
