package dev.ims.portal.tariff;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Prices hourly usage by a {@link TariffBook}. Arithmetic is exact on the decimal values of kWh and prices
 * (as {@link Double#toString} prints them), so 2.0 kWh at 0.18 costs exactly 0.36; money is rounded to
 * cents HALF_UP only once per day and part.
 */
public final class Pricing {

    /** The key of {@link #bandShares} for kWh in hours no band covers. */
    public static final String STANDARD = "standard";

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private Pricing() {}

    /**
     * One {@link DayCost} for each local day that appears in {@code hours}, in that order.
     *
     * <p>Each day is priced by {@code book.versionOn(day)}; each hour's kWh at the version's
     * {@link TariffVersion#bandPrice band price}. When the version has tiers, the hour's kWh are split across
     * the tier blocks by the kWh of the calendar month consumed before it, counted from the first hour of
     * that month in {@code hours}: callers that want tiers right pass hours from the 1st of the month (a
     * list starting mid-month prices its first days as if the month began there). The count runs on across
     * a version change inside a month. A tier with a price replaces the band price of the kWh inside it, one
     * with a surcharge adds to it; kWh beyond the last tier's limit are at the band price.
     *
     * <p>The standing charge is due once for each day in {@code hours}, even at 0 kWh. Energy and standing
     * are rounded to cents first; total = (energy + standing) × (1 + vatPercent / 100), rounded to cents, so
     * VAT is on the net amounts as shown; vat = total − energy − standing before the credit.
     *
     * <p>Export: a day with an export register in any of its hours earns credit = its exported kWh × the day's
     * version's {@link TariffVersion#feedInPrice() feed-in price}, rounded to cents, net and untaxed, and the
     * credit is subtracted from the total (energy + standing + vat − credit = total). Export does not count
     * toward the month's tiers, which are about import.
     *
     * @param hours in strictly ascending {@link HourUsage#start()} order, possibly over several months
     * @throws IllegalArgumentException when {@code hours} are out of order
     */
    public static List<DayCost> priceDays(TariffBook book, List<HourUsage> hours) {
        Objects.requireNonNull(book, "book");
        Objects.requireNonNull(hours, "hours");
        List<DayCost> days = new ArrayList<>();
        YearMonth month = null;
        BigDecimal monthKwh = BigDecimal.ZERO;
        Instant previous = null;
        int i = 0;
        while (i < hours.size()) {
            LocalDate day = hours.get(i).day();
            TariffVersion version = book.versionOn(day);
            if (!YearMonth.from(day).equals(month)) {
                month = YearMonth.from(day);
                monthKwh = BigDecimal.ZERO;
            }
            BigDecimal dayKwh = BigDecimal.ZERO;
            BigDecimal dayExport = null;
            BigDecimal energy = BigDecimal.ZERO;
            for (; i < hours.size() && hours.get(i).day().equals(day); i++) {
                HourUsage h = hours.get(i);
                if (previous != null && !h.start().isAfter(previous)) {
                    throw new IllegalArgumentException(
                            "hours must be in ascending time order: " + h.start() + " follows " + previous);
                }
                previous = h.start();
                BigDecimal kwh = BigDecimal.valueOf(h.kwh());
                BigDecimal bandPrice = BigDecimal.valueOf(version.bandPrice(h.dayOfWeek(), h.hour()));
                energy = energy.add(hourEnergy(version.tiers(), bandPrice, monthKwh, kwh));
                monthKwh = monthKwh.add(kwh);
                dayKwh = dayKwh.add(kwh);
                if (h.exportKwh() != null) {
                    dayExport = (dayExport == null ? BigDecimal.ZERO : dayExport).add(BigDecimal.valueOf(h.exportKwh()));
                }
            }
            days.add(dayCost(day, dayKwh, energy, dayExport, version));
        }
        return Collections.unmodifiableList(days);
    }

    /** {@code amount} rounded to cents, HALF_UP on its decimal value (1.005 → 1.01). */
    public static double roundCents(double amount) {
        return cents(BigDecimal.valueOf(amount)).doubleValue();
    }

    /**
     * kWh of {@code hours} per band name of {@code v} (every band of {@code v}, then {@link #STANDARD} for
     * hours no band covers), rounded to 3 decimals; bands sharing a name share an entry. The hours' dates
     * are not checked against the version's validity.
     */
    public static Map<String, Double> bandShares(TariffVersion v, List<HourUsage> hours) {
        Map<String, BigDecimal> sums = new LinkedHashMap<>();
        for (Band b : v.bands()) {
            sums.put(b.name(), BigDecimal.ZERO);
        }
        sums.put(STANDARD, BigDecimal.ZERO);
        for (HourUsage h : hours) {
            String key = STANDARD;
            for (Band b : v.bands()) {
                if (b.covers(h.dayOfWeek(), h.hour())) {
                    key = b.name();
                    break;
                }
            }
            sums.merge(key, BigDecimal.valueOf(h.kwh()), BigDecimal::add);
        }
        Map<String, Double> shares = new LinkedHashMap<>();
        sums.forEach((k, kwh) -> shares.put(k, kwh.setScale(3, RoundingMode.HALF_UP).doubleValue()));
        return Collections.unmodifiableMap(shares);
    }

    /** The net price of {@code kwh} consumed after {@code before} kWh of the month. */
    private static BigDecimal hourEnergy(List<Tier> tiers, BigDecimal bandPrice, BigDecimal before, BigDecimal kwh) {
        if (tiers.isEmpty()) {
            return kwh.multiply(bandPrice);
        }
        BigDecimal after = before.add(kwh);
        BigDecimal lower = BigDecimal.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        for (Tier t : tiers) {
            BigDecimal upper = t.upToKwh() == null ? null : BigDecimal.valueOf(t.upToKwh());
            BigDecimal inside = (upper == null ? after : upper.min(after)).subtract(before.max(lower));
            if (inside.signum() > 0) {
                BigDecimal price = t.pricePerKwh() != null
                        ? BigDecimal.valueOf(t.pricePerKwh())
                        : bandPrice.add(BigDecimal.valueOf(t.surchargePerKwh()));
                cost = cost.add(inside.multiply(price));
            }
            if (upper == null) {
                return cost;
            }
            lower = upper;
        }
        BigDecimal beyond = after.subtract(before.max(lower));
        return beyond.signum() > 0 ? cost.add(beyond.multiply(bandPrice)) : cost;
    }

    private static DayCost dayCost(LocalDate day, BigDecimal kwh, BigDecimal rawEnergy, BigDecimal export, TariffVersion v) {
        BigDecimal energy = cents(rawEnergy);
        BigDecimal standing = cents(BigDecimal.valueOf(v.standingChargePerDay()));
        BigDecimal net = energy.add(standing);
        BigDecimal total = cents(net.add(net.multiply(BigDecimal.valueOf(v.vatPercent())).divide(HUNDRED)));
        BigDecimal vat = cents(total.subtract(net));
        BigDecimal credit = export == null ? BigDecimal.ZERO : cents(export.multiply(BigDecimal.valueOf(v.feedInPrice())));
        total = total.subtract(credit);
        return new DayCost(
                day,
                kwh.setScale(3, RoundingMode.HALF_UP).doubleValue(),
                energy.doubleValue(),
                standing.doubleValue(),
                vat.doubleValue(),
                total.doubleValue(),
                v.currency(),
                v.name(),
                export == null ? null : export.setScale(3, RoundingMode.HALF_UP).doubleValue(),
                credit.doubleValue());
    }

    private static BigDecimal cents(BigDecimal amount) {
        return amount.setScale(2, RoundingMode.HALF_UP);
    }
}
