package dev.ims.portal.circuit;

import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.HourUsage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * What a circuit's schedule saved, judged from the circuit's own hourly use. Pure, thread-safe.
 *
 * <p>Over the {@code days} complete local days after the day the schedule was set, the circuit used {@code afterKwh} at
 * a cost of {@code afterCost} ({@link CircuitBill#cost}: band price of each hour + VAT, to cents). Before it, over as
 * many days, it paid {@code beforeCost} for {@code beforeKwh}: on average {@code beforeCost / beforeKwh} a kWh. The
 * saving is what the same {@code afterKwh} would have cost at that old average price minus what they did cost, so a
 * change in how much the circuit used does not count as a saving or a loss; per month = saving × (365 / 12) / days,
 * to cents. Negative when the circuit's kWh got dearer.
 *
 * @param averagePriceBefore per kWh, VAT included, unrounded
 * @param savingPerMonth null when the days before have no use to take a price from
 */
public record SavingAchieved(int days, double beforeKwh, double beforeCost, double afterKwh, double afterCost, Double averagePriceBefore,
        Double savingPerMonth) {

    private static final BigDecimal DAYS_PER_MONTH = BigDecimal.valueOf(365).divide(BigDecimal.valueOf(12), MathContext.DECIMAL64);

    /**
     * @param before the circuit's hours on the {@code days} days before the schedule's day
     * @param after its hours on the {@code days} days after it
     */
    public static SavingAchieved of(TariffBook book, List<HourUsage> before, List<HourUsage> after, int days) {
        if (days < 1) {
            throw new IllegalArgumentException("days must be at least 1");
        }
        BigDecimal beforeKwh = kwh(before);
        BigDecimal afterKwh = kwh(after);
        BigDecimal beforeCost = CircuitBill.cost(book, before);
        BigDecimal afterCost = CircuitBill.cost(book, after);
        if (beforeKwh.signum() <= 0) {
            return new SavingAchieved(days, beforeKwh.doubleValue(), beforeCost.doubleValue(), afterKwh.doubleValue(), afterCost.doubleValue(),
                    null, null);
        }
        BigDecimal price = beforeCost.divide(beforeKwh, MathContext.DECIMAL64);
        BigDecimal saving = afterKwh.multiply(price).subtract(afterCost);
        BigDecimal perMonth = saving.multiply(DAYS_PER_MONTH).divide(BigDecimal.valueOf(days), MathContext.DECIMAL64)
                .setScale(2, RoundingMode.HALF_UP);
        return new SavingAchieved(days, beforeKwh.doubleValue(), beforeCost.doubleValue(), afterKwh.doubleValue(), afterCost.doubleValue(),
                price.doubleValue(), perMonth.doubleValue());
    }

    private static BigDecimal kwh(List<HourUsage> hours) {
        BigDecimal s = BigDecimal.ZERO;
        for (HourUsage h : hours) {
            s = s.add(BigDecimal.valueOf(h.kwh()));
        }
        return s;
    }
}
