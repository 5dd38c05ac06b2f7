package dev.ims.portal.chart;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Y axis ticks from 0 in steps of 1, 2, 2.5 or 5 × 10^n: 4 to 6 ticks, the top one at or above the maximum,
 * every tick written with at most 2 decimals (so steps are at least 0.01 and 0.025 is skipped).
 *
 * @param step distance between ticks
 * @param ticks tick values, ascending, the first 0
 */
record NiceScale(BigDecimal step, List<BigDecimal> ticks) {

    private static final BigDecimal MIN_STEP = new BigDecimal("0.01");
    private static final BigDecimal[] MANTISSAS = {
        BigDecimal.ONE, BigDecimal.valueOf(2), new BigDecimal("2.5"), BigDecimal.valueOf(5)
    };
    private static final int MAX_INTERVALS = 5;
    private static final int MIN_INTERVALS = 3;

    NiceScale {
        ticks = List.copyOf(ticks);
    }

    /** The scale for data whose largest value is {@code max}; a maximum of 0 (or less, or NaN) gives 0 to 1. */
    static NiceScale covering(double max) {
        BigDecimal m = Double.isFinite(max) && max > 0 ? BigDecimal.valueOf(max) : BigDecimal.ONE;
        BigDecimal step = stepFor(m);
        int intervals = Math.max(MIN_INTERVALS, m.divide(step, 0, RoundingMode.CEILING).intValueExact());
        List<BigDecimal> ticks = new ArrayList<>(intervals + 1);
        for (int i = 0; i <= intervals; i++) {
            ticks.add(step.multiply(BigDecimal.valueOf(i)).stripTrailingZeros());
        }
        return new NiceScale(step, ticks);
    }

    /** The value of the top tick, which the plot's full height stands for. */
    double top() {
        return ticks.get(ticks.size() - 1).doubleValue();
    }

    private static BigDecimal stepFor(BigDecimal max) {
        BigDecimal needed = max.divide(BigDecimal.valueOf(MAX_INTERVALS), 40, RoundingMode.CEILING);
        int exp = needed.precision() - needed.scale() - 2;
        for (; ; exp++) {
            for (BigDecimal mantissa : MANTISSAS) {
                BigDecimal step = mantissa.scaleByPowerOfTen(exp);
                if (step.compareTo(MIN_STEP) < 0 || step.stripTrailingZeros().scale() > 2) {
                    continue;
                }
                if (step.compareTo(needed) >= 0) {
                    return step;
                }
            }
        }
    }
}
