package dev.ims.portal.tariff;

import java.time.DayOfWeek;
import java.util.EnumSet;
import java.util.Set;

/**
 * A time-of-use band: a price for the local hours {@code [fromHour, toHour)} on the given weekdays.
 * {@code fromHour > toHour} wraps past midnight (22 → 6 means 22:00–06:00). An hour is priced by the
 * first band of a version that covers it; hours no band covers get the version's default price.
 *
 * @param name shown to consumers, e.g. "peak"
 * @param pricePerKwh net of VAT, in the version's currency
 * @param days weekdays the band applies on; never empty
 * @param fromHour 0..23
 * @param toHour 1..24 (24 = midnight at the end of the day)
 */
public record Band(String name, double pricePerKwh, Set<DayOfWeek> days, int fromHour, int toHour) {

    public Band {
        if (name == null || name.isBlank()) {
            throw new TariffException("a band needs a name");
        }
        if (!(pricePerKwh >= 0) || Double.isInfinite(pricePerKwh)) {
            throw new TariffException("band " + name + ": pricePerKwh must be a non-negative number");
        }
        if (days == null || days.isEmpty()) {
            throw new TariffException("band " + name + ": days must name at least one weekday");
        }
        if (fromHour < 0 || fromHour > 23 || toHour < 1 || toHour > 24 || fromHour == toHour) {
            throw new TariffException("band " + name + ": hours must be fromHour 0..23 and toHour 1..24, different");
        }
        days = Set.copyOf(EnumSet.copyOf(days));
    }

    /** True when this band prices local {@code hour} of a day that is a {@code day}. */
    public boolean covers(DayOfWeek day, int hour) {
        if (!days.contains(day)) {
            return false;
        }
        return fromHour < toHour ? hour >= fromHour && hour < toHour : hour >= fromHour || hour < toHour;
    }
}
