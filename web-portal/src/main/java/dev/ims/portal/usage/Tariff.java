package dev.ims.portal.usage;

import java.time.LocalDate;

/**
 * Prices consumption. Today only flat rates exist; time-of-use bands, tiers, standing charges and
 * versioned validity come with the tariffs issue, behind this same interface.
 */
public interface Tariff {

    /** The currency's ISO code, e.g. EUR. */
    String currency();

    /** The cost of {@code kwh} consumed on {@code day}, rounded to cents. */
    double cost(LocalDate day, double kwh);

    static double roundCents(double amount) {
        return Math.round(amount * 100.0) / 100.0;
    }
}
