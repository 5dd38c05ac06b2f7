package dev.ims.model.circuit;

import dev.ims.model.reading.RelayState;

/**
 * One circuit's values in a reading (contract "added with circuits").
 *
 * @param id the circuit's {@link CircuitInfo#id}
 * @param powerW instantaneous power, W, ≥ 0
 * @param energyKwh the circuit's own cumulative register, kWh, ≥ 0, never decreasing
 * @param relay the circuit's relay as measured, or null when it has none
 * @param schedule the ID of the schedule command the meter runs for the circuit, or null for none
 */
public record CircuitReading(String id, double powerW, double energyKwh, RelayState relay, String schedule) {

    public CircuitReading {
        if (!CircuitInfo.isValidId(id)) {
            throw new IllegalArgumentException("circuit id '" + id + "' must match " + CircuitInfo.ID.pattern());
        }
    }
}
