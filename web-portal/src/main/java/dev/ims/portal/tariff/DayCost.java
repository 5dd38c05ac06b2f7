package dev.ims.portal.tariff;

import java.time.LocalDate;

/**
 * The price of one local day. Money is in {@code currency}, rounded to cents, and the parts add up
 * exactly: {@code energy + standing + vat == total} (as decimals of at most two places).
 *
 * @param day the local day
 * @param kwh units consumed that day, rounded to 3 decimals
 * @param energy net price of the units
 * @param standing net standing charge of the day
 * @param vat the VAT on {@code energy + standing}
 * @param total what the day costs, VAT included
 * @param currency ISO 4217 code of the version that priced the day
 * @param tariffName name of the version that priced the day
 */
public record DayCost(
        LocalDate day,
        double kwh,
        double energy,
        double standing,
        double vat,
        double total,
        String currency,
        String tariffName) {}
