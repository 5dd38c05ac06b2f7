package dev.ims.portal.tariff;

import java.time.LocalDate;

/**
 * The price of one local day. Money is in {@code currency}, rounded to cents, and the parts add up
 * exactly: {@code energy + standing + vat - credit == total} (as decimals of at most two places).
 *
 * <p>VAT: the feed-in credit is net and untaxed. VAT is charged on the imported energy and the standing
 * charge only; the credit is then taken off the VAT-inclusive amount as its own line. A day whose export
 * earns more than its import costs has a negative total.
 *
 * @param day the local day
 * @param kwh units consumed that day, rounded to 3 decimals
 * @param energy net price of the units
 * @param standing net standing charge of the day
 * @param vat the VAT on {@code energy + standing}
 * @param total what the day costs, VAT included, less the feed-in credit
 * @param currency ISO 4217 code of the version that priced the day
 * @param tariffName name of the version that priced the day
 * @param exportKwh units exported that day, rounded to 3 decimals; null when no hour of the day has an export register
 * @param credit what the export earned at the version's feed-in price (0 when none or no price), net, in cents
 */
public record DayCost(
        LocalDate day,
        double kwh,
        double energy,
        double standing,
        double vat,
        double total,
        String currency,
        String tariffName,
        Double exportKwh,
        double credit) {

    /** A day without export. */
    public DayCost(LocalDate day, double kwh, double energy, double standing, double vat, double total, String currency,
            String tariffName) {
        this(day, kwh, energy, standing, vat, total, currency, tariffName, null, 0);
    }
}
