package dev.ims.portal.advice;

import dev.ims.portal.tariff.HourUsage;
import java.util.List;
import java.util.Objects;

/**
 * One of the meter's circuits as the advice engine sees it: its description and its hourly use over the advice window.
 *
 * @param id the circuit's ID
 * @param name its display name ("Water heater")
 * @param switchable it has a relay the owner may schedule
 * @param critical never switched remotely (fridge, medical equipment): never offered a schedule
 * @param hours its hourly kWh, ascending, local days and hours as the meter's own {@link HourUsage}
 */
public record CircuitUsage(String id, String name, boolean switchable, boolean critical, List<HourUsage> hours) {

    public CircuitUsage {
        Objects.requireNonNull(id, "id");
        name = name == null || name.isBlank() ? id : name;
        hours = hours == null ? List.of() : List.copyOf(hours);
    }
}
