package dev.ims.portal.tariff;

import java.time.LocalDate;
import java.util.List;

/**
 * One version of the tariff, valid from {@code validFrom} (a local day, inclusive) until the next
 * version's {@code validFrom}. All prices are net; VAT is added on a day's total.
 *
 * @param name shown to consumers, e.g. "Home dual rate 2026"
 * @param currency ISO 4217 code, e.g. EUR
 * @param pricePerKwh the price of hours no band covers (a flat tariff has only this)
 * @param bands time-of-use bands, first match wins; may be empty
 * @param tiers monthly consumption blocks in ascending order; may be empty
 * @param standingChargePerDay a fixed net charge per day with consumption
 * @param vatPercent e.g. 20 for 20 %
 * @param feedInPricePerKwh what each kWh exported to the grid earns, net (no VAT is added to or taken from
 *     it); null when export is not paid for. Like every price it applies on the days this version is in force.
 */
public record TariffVersion(
        LocalDate validFrom,
        String name,
        String currency,
        double pricePerKwh,
        List<Band> bands,
        List<Tier> tiers,
        double standingChargePerDay,
        double vatPercent,
        Double feedInPricePerKwh) {

    public TariffVersion {
        if (validFrom == null) {
            throw new TariffException("validFrom is required");
        }
        if (name == null || name.isBlank()) {
            throw new TariffException("name is required");
        }
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw new TariffException("currency must be an ISO 4217 code such as EUR");
        }
        if (!(pricePerKwh >= 0) || Double.isInfinite(pricePerKwh)) {
            throw new TariffException("pricePerKwh must be a non-negative number");
        }
        if (!(standingChargePerDay >= 0) || Double.isInfinite(standingChargePerDay)) {
            throw new TariffException("standingChargePerDay must be a non-negative number");
        }
        if (!(vatPercent >= 0) || vatPercent > 100) {
            throw new TariffException("vatPercent must be from 0 to 100");
        }
        if (feedInPricePerKwh != null && (!(feedInPricePerKwh >= 0) || feedInPricePerKwh.isInfinite())) {
            throw new TariffException("feedInPricePerKwh must be a non-negative number or absent");
        }
        bands = bands == null ? List.of() : List.copyOf(bands);
        tiers = tiers == null ? List.of() : List.copyOf(tiers);
        Double previous = 0.0;
        for (int i = 0; i < tiers.size(); i++) {
            Double limit = tiers.get(i).upToKwh();
            if (limit == null && i != tiers.size() - 1) {
                throw new TariffException("only the last tier may have no upToKwh");
            }
            if (limit != null && limit <= previous) {
                throw new TariffException("tiers must be in ascending upToKwh order");
            }
            previous = limit;
        }
    }

    /** A version that does not pay for export. */
    public TariffVersion(LocalDate validFrom, String name, String currency, double pricePerKwh, List<Band> bands, List<Tier> tiers,
            double standingChargePerDay, double vatPercent) {
        this(validFrom, name, currency, pricePerKwh, bands, tiers, standingChargePerDay, vatPercent, null);
    }

    /** This version with {@code feedInPricePerKwh} (null: export not paid for). */
    public TariffVersion withFeedInPrice(Double feedInPricePerKwh) {
        return new TariffVersion(validFrom, name, currency, pricePerKwh, bands, tiers, standingChargePerDay, vatPercent, feedInPricePerKwh);
    }

    /** The net price a kWh exported earns on the days of this version: 0 when export is not paid for. */
    public double feedInPrice() {
        return feedInPricePerKwh == null ? 0 : feedInPricePerKwh;
    }

    /** A flat tariff: one price, no bands, tiers, standing charge or VAT. */
    public static TariffVersion flat(LocalDate validFrom, String currency, double pricePerKwh) {
        return new TariffVersion(validFrom, "Flat rate", currency, pricePerKwh, List.of(), List.of(), 0, 0);
    }

    /** The net energy price of local {@code hour} on a {@code day}, before tiers. */
    public double bandPrice(java.time.DayOfWeek day, int hour) {
        for (Band b : bands) {
            if (b.covers(day, hour)) {
                return b.pricePerKwh();
            }
        }
        return pricePerKwh;
    }
}
