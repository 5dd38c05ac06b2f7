package dev.ims.portal.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NiceScaleTest {

    @ParameterizedTest
    @CsvSource({
        "1.9,   0.5,  4",
        "12.3,  2.5,  5",
        "10,    2,    5",
        "10.01, 2.5,  5",
        "0.004, 0.01, 3",
        "0.021, 0.01, 3",
        "0.07,  0.02, 4",
        "0,     0.2,  5",
        "7,     2,    4",
        "250,   50,   5",
    })
    void scale_picksTheSmallestNiceStepWithAtMostFiveIntervals(double max, String step, int intervals) {
        NiceScale s = NiceScale.covering(max);

        assertThat(s.step()).isEqualByComparingTo(new BigDecimal(step));
        assertThat(s.ticks()).hasSize(intervals + 1);
        assertThat(s.top()).isGreaterThanOrEqualTo(max);
    }
}
