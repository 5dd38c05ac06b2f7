package dev.ims.portal.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SparklineTest {

    @Test
    void values_areALineFromZeroToTheLargest_andTheNameStatesTheFigures() {
        String svg = new Sparkline("Messages in per second", "msg/s", List.of(0.0, 5.0, 10.0)).svg();
        // x from 2 to 238 in two steps; y: 0 at the bottom (38), the largest at the top (2)
        assertThat(svg).contains("points=\"2,38 120,20 238,2\"");
        assertThat(svg).contains("aria-label=\"Messages in per second: now 10 msg/s, lowest 0 msg/s, highest 10 msg/s (3 samples)\"");
        assertThat(svg).doesNotContain("<style");
    }

    @Test
    void gaps_splitTheLine_andALonePointIsADot() {
        String svg = new Sparkline("Lag", "s", Arrays.asList(1.0, 2.0, null, 4.0, null)).svg();
        assertThat(svg.split("<polyline", -1)).hasSize(2);
        assertThat(svg).contains("<circle");
    }

    @Test
    void noValues_sayNoData_andTextIsEscaped() {
        String svg = new Sparkline("<b>&", null, List.of()).svg();
        assertThat(svg).contains("&lt;b&gt;&amp;: no data yet").doesNotContain("<polyline").doesNotContain("<b>");
    }
}
