package dev.ims.portal.advice;

import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.HourUsage;
import java.util.List;
import java.util.Objects;

/**
 * What the advice engine looks at.
 *
 * @param hours the consumer's hourly usage over their last complete local days, ascending (typically
 *     28–56 days); days without 23, 24 or 25 hour entries are ignored
 * @param tariff the consumer's current tariff version; prices and currency of every estimate
 * @param fleetMedianDailyKwh the median mean daily kWh of other meters, or null when unknown
 * @param fleetMeters how many other meters {@code fleetMedianDailyKwh} was computed from
 * @param circuits the meter's circuits with their hourly use over the same days (empty: none, or none known); a
 *     load-shift suggestion names the one that causes it and offers its schedule
 */
public record AdviceInput(List<HourUsage> hours, TariffVersion tariff, Double fleetMedianDailyKwh, int fleetMeters,
        List<CircuitUsage> circuits) {

    public AdviceInput {
        hours = hours == null ? List.of() : List.copyOf(hours);
        Objects.requireNonNull(tariff, "tariff");
        circuits = circuits == null ? List.of() : List.copyOf(circuits);
    }

    /** Input without circuit data. */
    public AdviceInput(List<HourUsage> hours, TariffVersion tariff, Double fleetMedianDailyKwh, int fleetMeters) {
        this(hours, tariff, fleetMedianDailyKwh, fleetMeters, List.of());
    }
}
