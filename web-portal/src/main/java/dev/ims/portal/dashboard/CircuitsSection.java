package dev.ims.portal.dashboard;

import dev.ims.portal.chart.Bar;
import dev.ims.portal.chart.BarChart;
import dev.ims.portal.circuit.CircuitService;
import java.util.ArrayList;
import java.util.List;

/**
 * The page model of the dashboard's "Circuits" section: the overview's rows and a chart of today's use per circuit
 * (the rest of the house not included: it is not a circuit). Built without a server; the template only formats.
 *
 * @param rows the circuits, as the meter lists them
 * @param svg today's kWh per circuit as an accessible inline SVG
 * @param table the same data as a table
 */
public record CircuitsSection(CircuitService.Overview overview, List<CircuitService.CircuitView> rows, String svg, String table) {

    /** The chart's element ids start with this (the page's main chart has its own). */
    static final String CHART_ID = "circuits-chart";

    public static CircuitsSection of(CircuitService.Overview o) {
        List<Bar> bars = new ArrayList<>();
        for (CircuitService.CircuitView c : o.circuits()) {
            bars.add(new Bar(c.name(), c.name() + " on " + o.today(), c.todayKwh()));
        }
        BarChart chart = new BarChart("Today's use per circuit (" + o.today() + ")", "kWh", "Today", null, bars);
        return new CircuitsSection(o, o.circuits(), chart.svg(CHART_ID), chart.table());
    }
}
