package dev.ims.portal.circuit;

import dev.ims.portal.tariff.DayCost;
import dev.ims.portal.tariff.Pricing;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.HourUsage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a circuit's use costs under the real tariff. Pure functions over records, thread-safe.
 *
 * <p>A circuit's cost is its hourly kWh, each priced at the band price of that hour in the version in force on its day,
 * plus that version's VAT on it; rounded to cents once per circuit (per entry for {@link #price}). Tiers, the standing
 * charge and the feed-in credit are the household's, not a circuit's: they stay with the rest of the house, whose share
 * is the remainder ({@code bill − Σ circuits}), so the shares always add up to the bill.
 */
public final class CircuitBill {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private CircuitBill() {}

    /**
     * @param bill the household's bill for the hours given (VAT and standing charge included, credit taken off)
     * @param circuits each circuit's cost in the same hours, by ID, in the order given
     * @param rest the rest of the house: {@code bill − Σ circuits} (negative if the circuits cost more than the bill,
     *     which only a prosumer's feed-in credit can cause)
     */
    public record Shares(double bill, Map<String, Double> circuits, double rest, String currency) {

        /** {@code id}'s part of the bill, 0..1 (0 when the bill is not positive). */
        public double fraction(String id) {
            Double c = circuits.get(id);
            return c == null || bill <= 0 ? 0 : BigDecimal.valueOf(c).divide(BigDecimal.valueOf(bill), 4, RoundingMode.HALF_UP).doubleValue();
        }
    }

    /**
     * The bill of {@code houseHours} and each circuit's share.
     *
     * @param houseHours the meter's hourly use, ascending (as {@link Pricing#priceDays} wants it)
     * @param circuitHours each circuit's hourly use, by ID
     */
    public static Shares shares(TariffBook book, List<HourUsage> houseHours, Map<String, List<HourUsage>> circuitHours) {
        BigDecimal bill = BigDecimal.ZERO;
        String currency = book.versions().get(book.versions().size() - 1).currency();
        for (DayCost d : Pricing.priceDays(book, houseHours)) {
            bill = bill.add(BigDecimal.valueOf(d.total()));
            currency = d.currency();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        BigDecimal circuits = BigDecimal.ZERO;
        for (Map.Entry<String, List<HourUsage>> e : circuitHours.entrySet()) {
            BigDecimal c = cost(book, e.getValue());
            out.put(e.getKey(), c.doubleValue());
            circuits = circuits.add(c);
        }
        return new Shares(bill.doubleValue(), out, bill.subtract(circuits).doubleValue(), currency);
    }

    /** The cost of {@code hours} (one circuit's): band price of each hour plus VAT, rounded to cents. */
    public static BigDecimal cost(TariffBook book, List<HourUsage> hours) {
        BigDecimal sum = BigDecimal.ZERO;
        for (HourUsage h : hours) {
            sum = sum.add(raw(book.versionOn(h.day()), h));
        }
        return sum.setScale(2, RoundingMode.HALF_UP);
    }

    /** Each group of hours priced on its own (an hour, a day), rounded to cents; keys as given. */
    public static Map<String, Double> price(TariffBook book, Map<String, List<HourUsage>> groups) {
        Map<String, Double> out = new LinkedHashMap<>();
        groups.forEach((k, hours) -> out.put(k, cost(book, hours).doubleValue()));
        return out;
    }

    private static BigDecimal raw(TariffVersion v, HourUsage h) {
        BigDecimal net = BigDecimal.valueOf(h.kwh()).multiply(BigDecimal.valueOf(v.bandPrice(h.dayOfWeek(), h.hour())));
        return net.add(net.multiply(BigDecimal.valueOf(v.vatPercent())).divide(HUNDRED));
    }
}
