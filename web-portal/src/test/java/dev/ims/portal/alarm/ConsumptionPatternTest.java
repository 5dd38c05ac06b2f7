package dev.ims.portal.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConsumptionPatternTest {

    private static final LocalDate DAY = LocalDate.parse("2026-06-30");

    /** 28 days: 8, 9, 10, 11, 12 kWh in turn (median 10, MAD 1). */
    private static List<Double> spread() {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < 28; i++) {
            out.add(8.0 + i % 5);
        }
        return out;
    }

    @Test
    void theExpectedRange_isTheMedianPlusMinusFourScaledMads_workedByHand() {
        // Median 10; deviations 2,1,0,1,2 in turn: their median is 1; 4 x 1.4826 x 1 = 5.9304 > the floors (5 and 1).
        ConsumptionPattern.Judgement j = ConsumptionPattern.judge(DAY, 16.0, spread());
        assertThat(j.median()).isEqualTo(10.0);
        assertThat(j.low()).isEqualTo(4.07);
        assertThat(j.high()).isEqualTo(15.93);
        assertThat(j.basisDays()).isEqualTo(28);
        assertThat(j.abnormal()).isTrue();
        assertThat(ConsumptionPattern.judge(DAY, 15.9, spread()).abnormal()).isFalse();
        assertThat(ConsumptionPattern.judge(DAY, 4.0, spread()).abnormal()).isTrue();
        assertThat(j.text()).isEqualTo("2026-06-30 used 16.00 kWh; expected 4.07 to 15.93 kWh (median 10.00 kWh of the 28 previous days with data)");
    }

    @ParameterizedTest
    @CsvSource({"10.0, 14.9, false", "10.0, 15.1, true", "10.0, 5.1, false", "10.0, 4.9, true", "0.5, 1.4, false", "0.5, 1.6, true"})
    void aVeryRegularMeter_isHeldToHalfItsMedian_orOneKwh_notToItsTinySpread(double usual, double kwh, boolean abnormal) {
        List<Double> flat = new ArrayList<>(Collections.nCopies(28, usual));
        assertThat(ConsumptionPattern.judge(DAY, kwh, flat).abnormal()).isEqualTo(abnormal);
    }

    @Test
    void withTooLittleHistory_thereIsNoJudgement_andFromFourteenDaysOnThereIs() {
        assertThat(ConsumptionPattern.judge(DAY, 100, spread().subList(0, 13))).isNull();
        assertThat(ConsumptionPattern.judge(DAY, 100, spread().subList(0, 14))).isNotNull();
    }

    @Test
    void aFewOddDaysInTheBasis_doNotWidenTheRange() {
        List<Double> basis = spread();
        basis.set(3, 80.0);
        basis.set(17, 0.0);
        ConsumptionPattern.Judgement j = ConsumptionPattern.judge(DAY, 20, basis);
        assertThat(j.high()).isLessThan(17);
        assertThat(j.abnormal()).isTrue();
    }

    @Test
    void theRange_alwaysHoldsTheMedian_andItsLowEndIsNeverNegative() {
        Random random = new Random(15);
        for (int run = 0; run < 500; run++) {
            List<Double> basis = new ArrayList<>();
            for (int i = 0; i < 14 + random.nextInt(15); i++) {
                basis.add(random.nextDouble() * 50);
            }
            ConsumptionPattern.Judgement j = ConsumptionPattern.judge(DAY, random.nextDouble() * 80, basis);
            assertThat(j.low()).isGreaterThanOrEqualTo(0).isLessThanOrEqualTo(j.median());
            assertThat(j.high()).isGreaterThan(j.median());
            assertThat(ConsumptionPattern.judge(DAY, j.median(), basis).abnormal()).isFalse();
        }
    }

    @Test
    void aDaysKwh_isItsHighestRegisterMinusTheDayBefores_orItsOwnRangeWithoutOne() {
        Map<LocalDate, double[]> days = new HashMap<>();
        days.put(DAY.minusDays(1), new double[] {100, 110});
        days.put(DAY, new double[] {110.5, 118.5});
        days.put(DAY.minusDays(5), new double[] {50, 53.25});
        assertThat(AbnormalConsumption.kwh(days, DAY)).isEqualTo(8.5);
        assertThat(AbnormalConsumption.kwh(days, DAY.minusDays(5))).isEqualTo(3.25);
        assertThat(AbnormalConsumption.kwh(days, DAY.minusDays(2))).isNull();
    }
}
