package dev.ims.portal.tariff;

/**
 * A consumption block of a billing month: the kWh of the month from the previous tier's limit up to
 * {@code upToKwh} (null: no limit; only the last tier). Such kWh are priced at {@code pricePerKwh} when
 * given (replacing the flat or band price), else at the band price plus {@code surchargePerKwh}
 * (which may be negative: a discount). Exactly one of the two is set.
 */
public record Tier(Double upToKwh, Double pricePerKwh, Double surchargePerKwh) {

    public Tier {
        if ((pricePerKwh == null) == (surchargePerKwh == null)) {
            throw new TariffException("a tier needs exactly one of pricePerKwh or surchargePerKwh");
        }
        if (upToKwh != null && (!(upToKwh > 0) || upToKwh.isInfinite())) {
            throw new TariffException("a tier's upToKwh must be a positive number");
        }
        if (pricePerKwh != null && (!(pricePerKwh >= 0) || pricePerKwh.isInfinite())) {
            throw new TariffException("a tier's pricePerKwh must be a non-negative number");
        }
        if (surchargePerKwh != null && (surchargePerKwh.isNaN() || surchargePerKwh.isInfinite())) {
            throw new TariffException("a tier's surchargePerKwh must be a number");
        }
    }
}
