package dev.ims.portal.usage;

import java.time.LocalDate;

/** One price per kWh at all times. */
public record FlatTariff(double pricePerKwh, String currency) implements Tariff {

    public static final double DEFAULT_PRICE_PER_KWH = 0.30;
    public static final String DEFAULT_CURRENCY = "EUR";

    public FlatTariff {
        if (!(pricePerKwh >= 0) || Double.isInfinite(pricePerKwh)) {
            throw new IllegalArgumentException("price per kWh must be a non-negative number, got " + pricePerKwh);
        }
    }

    @Override
    public double cost(LocalDate day, double kwh) {
        return Tariff.roundCents(kwh * pricePerKwh);
    }
}
