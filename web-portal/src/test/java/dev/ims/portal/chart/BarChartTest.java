package dev.ims.portal.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class BarChartTest {

    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> byClass(Document doc, String tag, String cls) {
        NodeList nodes = doc.getElementsByTagNameNS(SVG_NS, tag);
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (List.of(e.getAttribute("class").split(" ")).contains(cls)) {
                found.add(e);
            }
        }
        return found;
    }

    private static double num(Element e, String attr) {
        return Double.parseDouble(e.getAttribute(attr));
    }

    private static Element child(Element e, String tag) {
        return (Element) e.getElementsByTagNameNS(SVG_NS, tag).item(0);
    }

    private static BarChart chart(double... values) {
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            bars.add(new Bar(String.valueOf(i + 1), "2026-11-" + String.format("%02d", i + 1), values[i]));
        }
        return new BarChart("Daily usage", "kWh", "Usage", "Last month", bars);
    }

    private static List<Double> tickValues(Document doc) {
        return byClass(doc, "g", "tick").stream()
                .map(g -> Double.parseDouble(child(g, "text").getTextContent()))
                .toList();
    }

    @Test
    void svg_isWellFormedWithViewBoxAndImageRole() throws Exception {
        Element svg = parse(chart(1, 2, 3).svg()).getDocumentElement();

        assertThat(svg.getLocalName()).isEqualTo("svg");
        assertThat(svg.getNamespaceURI()).isEqualTo(SVG_NS);
        assertThat(svg.getAttribute("viewBox")).isEqualTo("0 0 720 300");
        assertThat(svg.getAttribute("width")).isEqualTo("100%");
        assertThat(svg.getAttribute("preserveAspectRatio")).isEqualTo("xMidYMid meet");
        assertThat(svg.getAttribute("role")).isEqualTo("img");
    }

    @Test
    void rectBarCount_equalsBarCount() throws Exception {
        Document doc = parse(chart(1, 2, 3, 0, 5).svg());

        assertThat(byClass(doc, "rect", "bar")).hasSize(5);
    }

    @Test
    void barHeights_areProportionalToValues() throws Exception {
        List<Element> bars = byClass(parse(chart(1, 2, 3.3).svg()), "rect", "bar");

        double one = num(bars.get(0), "height");
        assertThat(one).isPositive();
        assertThat(num(bars.get(1), "height")).isCloseTo(2 * one, within(0.5));
        assertThat(num(bars.get(2), "height")).isCloseTo(3.3 * one, within(0.5));
    }

    @Test
    void bars_standOnTheXAxis() throws Exception {
        for (Element bar : byClass(parse(chart(1, 2, 3.3).svg()), "rect", "bar")) {
            assertThat(num(bar, "y") + num(bar, "height")).isCloseTo(BarChart.PLOT_BOTTOM, within(0.01));
        }
    }

    @Test
    void tallestBar_staysInsideThePlotArea() throws Exception {
        for (double max : new double[] {1, 9.99, 10, 10.01, 0.004, 123456.7}) {
            List<Element> bars = byClass(parse(chart(max / 3, max).svg()), "rect", "bar");

            assertThat(num(bars.get(1), "y")).as("max %s", max).isGreaterThanOrEqualTo(BarChart.PLOT_TOP);
            assertThat(num(bars.get(1), "height")).as("max %s", max)
                    .isLessThanOrEqualTo(BarChart.PLOT_BOTTOM - BarChart.PLOT_TOP);
        }
    }

    @Test
    void ticks_startAtZero_areNice_andTopCoversTheMaximum() throws Exception {
        for (double max : new double[] {0.004, 0.021, 0.3, 1, 1.01, 1.9, 2.51, 5.1, 7, 12.3, 99, 100, 101, 4321.5}) {
            List<Double> ticks = tickValues(parse(chart(max / 2, max).svg()));

            assertThat(ticks).as("max %s", max).hasSizeBetween(4, 6);
            assertThat(ticks.get(0)).isZero();
            double step = ticks.get(1) - ticks.get(0);
            for (int i = 1; i < ticks.size(); i++) {
                assertThat(ticks.get(i) - ticks.get(i - 1)).as("max %s", max).isCloseTo(step, within(1e-9));
            }
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-12));
            assertThat(List.of(1.0, 2.0, 2.5, 5.0)).as("step %s for max %s", step, max)
                    .anySatisfy(m -> assertThat(mantissa).isCloseTo(m, within(1e-9)));
            assertThat(ticks.get(ticks.size() - 1)).as("max %s", max).isGreaterThanOrEqualTo(max);
        }
    }

    @Test
    void tickLabels_haveAtMostTwoDecimals() throws Exception {
        for (double max : new double[] {0.004, 0.021, 0.07, 0.3, 1.01}) {
            Document doc = parse(chart(max).svg());
            for (Element g : byClass(doc, "g", "tick")) {
                assertThat(child(g, "text").getTextContent()).as("max %s", max).matches("\\d+(\\.\\d{1,2})?");
            }
        }
    }

    @Test
    void allZeroValues_stillGiveAScale() throws Exception {
        Document doc = parse(chart(0, 0, 0).svg());

        assertThat(tickValues(doc)).hasSizeBetween(4, 6).first().isEqualTo(0.0);
        assertThat(byClass(doc, "rect", "bar")).allSatisfy(b -> assertThat(num(b, "height")).isZero());
    }

    @Test
    void negativeAndNanValues_areDrawnAsZero() throws Exception {
        List<Element> bars = byClass(parse(chart(-3, Double.NaN, 2).svg()), "rect", "bar");

        assertThat(num(bars.get(0), "height")).isZero();
        assertThat(num(bars.get(1), "height")).isZero();
        assertThat(num(bars.get(2), "height")).isPositive();
        assertThat(chart(-3, Double.NaN, 2).summary()).contains("total 2 kWh");
    }

    @Test
    void titleAndDesc_areReferencedByAriaLabelledby() throws Exception {
        Document doc = parse(chart(1, 2).svg());
        Element svg = doc.getDocumentElement();
        String[] ids = svg.getAttribute("aria-labelledby").split(" ");

        assertThat(ids).hasSize(2);
        Element title = child(svg, "title");
        Element desc = child(svg, "desc");
        assertThat(title.getParentNode()).isSameAs(svg);
        assertThat(ids).containsExactly(title.getAttribute("id"), desc.getAttribute("id"));
        assertThat(title.getTextContent()).isEqualTo("Daily usage");
    }

    @Test
    void desc_statesCountTotalAndMaximum() throws Exception {
        List<Bar> bars = IntStream.range(0, 24)
                .mapToObj(h -> new Bar(String.valueOf(h), String.format("%02d:00", h), h == 18 ? 1.9 : 0.45))
                .toList();
        Document doc = parse(new BarChart("Today", "kWh", "Usage", null, bars).svg());

        assertThat(child(doc.getDocumentElement(), "desc").getTextContent())
                .isEqualTo("24 bars; total 12.25 kWh; highest 1.9 kWh at 18:00");
    }

    @Test
    void desc_mentionsTheComparisonTotal_whenThereIsOne() {
        BarChart c = new BarChart("Usage", "kWh", "This month", "Last month",
                List.of(new Bar("1", "Day 1", 1, 2.0, null), new Bar("2", "Day 2", 3, 0.5, null)));

        assertThat(c.summary()).isEqualTo("2 bars; total 4 kWh; highest 3 kWh at Day 2; Last month total 2.5 kWh");
    }

    @Test
    void markupInLabels_isEscapedAndSurvivesIntact() throws Exception {
        String nasty = "a<&\">'b";
        BarChart c = new BarChart("T <&\"> '", "k<Wh>", "S&", "C\"", List.of(
                new Bar(nasty, nasty + " long", 1, 2.0, "/usage?day=1&x=\"2\"")));
        Document doc = parse(c.svg());

        assertThat(byClass(doc, "text", "x-label")).singleElement()
                .satisfies(t -> assertThat(t.getTextContent()).isEqualTo(nasty));
        assertThat(child(byClass(doc, "rect", "bar").get(0), "title").getTextContent())
                .isEqualTo(nasty + " long: 1 k<Wh>");
        assertThat(child(doc.getDocumentElement(), "title").getTextContent()).isEqualTo("T <&\"> '");
        assertThat(((Element) doc.getElementsByTagNameNS(SVG_NS, "a").item(0)).getAttribute("href"))
                .isEqualTo("/usage?day=1&x=\"2\"");
        assertThat(c.table()).doesNotContain(nasty).contains("a&lt;&amp;&quot;&gt;&#39;b");
        parse(c.table());
    }

    @Test
    void controlCharacters_areDroppedSoTheSvgStaysWellFormed() throws Exception {
        Document doc = parse(new BarChart("T\u0000itle\u0007", "kWh", "", "", List.of(new Bar("x\u001b", null, 1))).svg());

        assertThat(child(doc.getDocumentElement(), "title").getTextContent()).isEqualTo("Title");
    }

    @Test
    void compareMarkers_appearOnlyForBarsWithACompareValue() throws Exception {
        BarChart c = new BarChart("Usage", "kWh", "This month", "Last month", List.of(
                new Bar("1", "Day 1", 1, 2.0, null),
                new Bar("2", "Day 2", 1, null, null),
                new Bar("3", "Day 3", 1, 0.5, null)));
        Document doc = parse(c.svg());

        List<Element> markers = new ArrayList<>(byClass(doc, "line", "compare"));
        markers.addAll(byClass(doc, "rect", "compare"));
        assertThat(markers).hasSize(2);
        assertThat(markers).map(m -> child(m, "title").getTextContent())
                .containsExactly("Last month: 2 kWh", "Last month: 0.5 kWh");
    }

    @Test
    void compareMarker_sitsAtTheCompareValueHeight() throws Exception {
        BarChart c = new BarChart("Usage", "kWh", "Now", "Before", List.of(new Bar("1", "Day 1", 1, 2.0, null)));
        Document doc = parse(c.svg());

        Element bar = byClass(doc, "rect", "bar").get(0);
        Element marker = byClass(doc, "line", "compare").get(0);
        double markerHeight = BarChart.PLOT_BOTTOM - num(marker, "y1");
        assertThat(markerHeight).isCloseTo(2 * num(bar, "height"), within(0.5));
    }

    @Test
    void withoutCompareValues_thereAreNoMarkersAndNoCompareLegend() throws Exception {
        Document doc = parse(chart(1, 2, 3).svg());

        assertThat(byClass(doc, "line", "compare")).isEmpty();
        assertThat(byClass(doc, "rect", "compare")).isEmpty();
        assertThat(byClass(doc, "g", "legend").get(0).getTextContent()).isEqualTo("Usage");
    }

    @Test
    void legend_namesSeriesAndComparison_whenAnyCompareValueExists() throws Exception {
        BarChart c = new BarChart("Usage", "kWh", "This month", "Last month",
                List.of(new Bar("1", "Day 1", 1), new Bar("2", "Day 2", 1, 2.0, null)));

        assertThat(byClass(parse(c.svg()), "g", "legend")).singleElement()
                .satisfies(g -> assertThat(g.getTextContent()).contains("This month").contains("Last month"));
    }

    @Test
    void barsWithHref_areWrappedInLinks() throws Exception {
        BarChart c = new BarChart("Usage", "kWh", "Usage", null, List.of(
                new Bar("Nov", "November 2026", 30, null, "/usage/2026-11"),
                new Bar("Dec", "December 2026", 20, null, null)));
        Document doc = parse(c.svg());

        NodeList links = doc.getElementsByTagNameNS(SVG_NS, "a");
        assertThat(links.getLength()).isEqualTo(1);
        Element a = (Element) links.item(0);
        assertThat(a.getAttribute("href")).isEqualTo("/usage/2026-11");
        assertThat(child(a, "rect").getAttribute("class")).isEqualTo("bar");
    }

    @Test
    void emptyChart_saysNoDataAndKeepsTitleAndDesc() throws Exception {
        Document doc = parse(new BarChart("Usage in March", "kWh", "Usage", null, List.of()).svg());
        Element svg = doc.getDocumentElement();

        assertThat(svg.getTextContent()).contains("No data for this period");
        assertThat(child(svg, "title").getTextContent()).isEqualTo("Usage in March");
        assertThat(child(svg, "desc").getTextContent()).isNotBlank();
        assertThat(byClass(doc, "rect", "bar")).isEmpty();
        assertThat(new BarChart("Usage in March", "kWh", "Usage", null, null).table()).contains("No data for this period");
    }

    @Test
    void thirtyOneBars_showAtMostSixteenXLabels() throws Exception {
        Document doc = parse(chart(new double[31]).svg());

        List<Element> labels = byClass(doc, "text", "x-label");
        assertThat(labels).hasSizeLessThanOrEqualTo(16).hasSizeGreaterThanOrEqualTo(8);
        assertThat(labels.get(0).getTextContent()).isEqualTo("1");
    }

    @Test
    void fewBars_labelEveryBar() throws Exception {
        assertThat(byClass(parse(chart(new double[12]).svg()), "text", "x-label")).hasSize(12);
    }

    @Test
    void table_hasCaptionAndOneBodyRowPerBar() throws Exception {
        BarChart c = new BarChart("Daily usage", "kWh", "Usage", "Last month", List.of(
                new Bar("1", "2026-11-01", 1.25, 1.0, "/day/1"),
                new Bar("2", "2026-11-02", 2, null, null),
                new Bar("3", "2026-11-03", 0.5, 0.75, null)));
        Document doc = parse(c.table());
        Element table = doc.getDocumentElement();

        assertThat(table.getAttribute("class")).isEqualTo("chart-data");
        assertThat(table.getElementsByTagName("caption").item(0).getTextContent()).isEqualTo("Daily usage");
        Element body = (Element) table.getElementsByTagName("tbody").item(0);
        NodeList rows = body.getElementsByTagName("tr");
        assertThat(rows.getLength()).isEqualTo(3);
        assertThat(rows.item(0).getTextContent()).isEqualTo("2026-11-011.25 kWh1 kWh");
        assertThat(((Element) rows.item(0)).getElementsByTagName("a").getLength()).isEqualTo(1);
        assertThat(table.getElementsByTagName("thead").item(0).getTextContent()).isEqualTo("PeriodUsageLast month");
    }

    @Test
    void numbers_ignoreTheDefaultLocale() throws Exception {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            BarChart c = chart(1.5, 2.25);
            assertThat(c.summary()).contains("total 3.75 kWh");
            assertThat(c.svg()).doesNotContain("1,5");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void idPrefix_mustBeAnXmlName() {
        assertThatThrownBy(() -> chart(1).svg("1bad id")).isInstanceOf(IllegalArgumentException.class);
        assertThat(chart(1).svg("usage-day")).contains("aria-labelledby=\"usage-day-title usage-day-desc\"");
    }

    /** Import 1, 2, 0.5 with export 0, 3, 1 (the last bar: import only, no export register). */
    private static BarChart exporting() {
        return new BarChart("Hourly units", "kWh", "This day", "Same day a week before", List.of(
                new Bar("10", "2026-06-10 10:00", 1, null, null, 0.0),
                new Bar("11", "2026-06-10 11:00", 2, null, null, 3.0),
                new Bar("12", "2026-06-10 12:00", 0.5, null, null, 1.0),
                new Bar("13", "2026-06-10 13:00", 0.5, null, null, null)));
    }

    @Test
    void exportBars_hangBelowTheAxis_importBarsStandOnIt_atTheSameScale() throws Exception {
        Document doc = parse(exporting().svg());
        Element axis = byClass(doc, "line", "axis").stream()
                .filter(l -> num(l, "y1") == num(l, "y2")).findFirst().orElseThrow();
        double zero = num(axis, "y1");
        assertThat(zero).isLessThan(BarChart.PLOT_BOTTOM).isGreaterThan(BarChart.PLOT_TOP);
        List<Element> imports = byClass(doc, "rect", "bar");
        List<Element> exports = byClass(doc, "rect", "export");
        assertThat(imports).hasSize(4);
        assertThat(exports).hasSize(3);
        for (Element bar : imports) {
            assertThat(num(bar, "y") + num(bar, "height")).isCloseTo(zero, within(0.01));
        }
        for (Element bar : exports) {
            assertThat(num(bar, "y")).isCloseTo(zero, within(0.01));
            assertThat(num(bar, "y") + num(bar, "height")).isLessThanOrEqualTo(BarChart.PLOT_BOTTOM + 0.01);
        }
        double perKwh = num(imports.get(1), "height") / 2;
        assertThat(num(exports.get(1), "height")).isCloseTo(3 * perKwh, within(0.5));
        assertThat(num(exports.get(2), "height")).isCloseTo(perKwh, within(0.5));
        assertThat(tickValues(doc)).contains(-1.0, 0.0, 2.0).allMatch(t -> t >= -3.0 - 1e-9);
    }

    @Test
    void netDots_sitAtImportMinusExport() throws Exception {
        Document doc = parse(exporting().svg());
        List<Element> nets = byClass(doc, "circle", "net");
        assertThat(nets).hasSize(3);
        double zero = num(byClass(doc, "rect", "export").get(0), "y");
        double perKwh = num(byClass(doc, "rect", "bar").get(1), "height") / 2;
        assertThat(num(nets.get(1), "cy")).isCloseTo(zero + perKwh, within(0.5)); // 2 − 3 = −1
        assertThat(child(nets.get(1), "title").getTextContent()).isEqualTo("2026-06-10 11:00: net -1 kWh");
    }

    @Test
    void exportChart_legendSummaryAndTable_nameExportAndNet() throws Exception {
        BarChart c = exporting();
        assertThat(byClass(parse(c.svg()), "g", "legend").get(0).getTextContent()).contains("Export").contains("Net");
        assertThat(c.summary()).contains("total 4 kWh").contains("export total 4 kWh").contains("net 0 kWh");
        Element table = parse(c.table()).getDocumentElement();
        assertThat(table.getElementsByTagName("thead").item(0).getTextContent()).isEqualTo("PeriodImport (This day)ExportNet");
        NodeList rows = ((Element) table.getElementsByTagName("tbody").item(0)).getElementsByTagName("tr");
        assertThat(rows.item(1).getTextContent()).isEqualTo("2026-06-10 11:002 kWh3 kWh-1 kWh");
        assertThat(rows.item(3).getTextContent()).isEqualTo("2026-06-10 13:000.5 kWh");
    }

    @Test
    void chartWithoutExport_hasNoExportMarkup_andStandsOnThePlotBottom() throws Exception {
        Document doc = parse(chart(1, 2, 3).svg());
        assertThat(byClass(doc, "rect", "export")).isEmpty();
        assertThat(byClass(doc, "circle", "net")).isEmpty();
        assertThat(tickValues(doc)).allMatch(t -> t >= 0);
        assertThat(chart(1, 2).table()).doesNotContain("Export");
    }

    @Test
    void exportMuchLargerThanImport_sharesOneStep_andKeepsTheTicksFew() throws Exception {
        BarChart c = new BarChart("Hourly units", "kWh", "This day", null, List.of(
                new Bar("00", "00:00", 0.4, null, null, 1.5), new Bar("01", "01:00", 0.5, null, null, 1.5)));
        List<Double> ticks = tickValues(parse(c.svg()));
        assertThat(ticks).hasSizeLessThanOrEqualTo(11).contains(0.0).startsWith(-1.5);
        assertThat(ticks.get(ticks.size() - 1)).isGreaterThanOrEqualTo(0.5);
        double step = ticks.get(1) - ticks.get(0);
        for (int i = 1; i < ticks.size(); i++) {
            assertThat(ticks.get(i) - ticks.get(i - 1)).isCloseTo(step, within(1e-9));
        }
    }
}
