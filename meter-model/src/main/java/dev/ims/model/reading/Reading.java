package dev.ims.model.reading;

import dev.ims.model.meter.MeterIds;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One reading of a meter, as the contract defines it.
 *
 * @param meterId the meter's ID ({@link MeterIds#isValid})
 * @param seq per-meter counter that only grows; with {@code meterId} it identifies the reading
 * @param ts when the reading was taken
 * @param energyKwh the cumulative import register in kWh; never decreases
 * @param powerW instantaneous active power in W, or null
 * @param voltageV RMS voltage in V, or null
 * @param currentA RMS current in A, or null
 * @param status {@code OK} or {@code FAULT}
 * @param fault the fault when {@code status} is FAULT, else null
 * @param relay the supply relay's state, or null when the meter has none
 * @param exportKwh the cumulative export register (energy fed into the grid) in kWh, or null when the
 *     meter does not export or cannot tell; never decreases, like {@code energyKwh}
 * @param exportPowerW instantaneous power fed into the grid in W (0 or more), or null; import power stays
 *     in {@code powerW}
 * @param extras fields the contract does not name, kept as plain JSON values (never null)
 */
public record Reading(
        String meterId,
        long seq,
        Instant ts,
        double energyKwh,
        Double powerW,
        Double voltageV,
        Double currentA,
        MeterStatus status,
        FaultCode fault,
        RelayState relay,
        Double exportKwh,
        Double exportPowerW,
        Map<String, Object> extras) {

    public Reading {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(status, "status");
        extras = extras == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /** A reading of a meter that does not export (no export register, no export power). */
    public Reading(
            String meterId,
            long seq,
            Instant ts,
            double energyKwh,
            Double powerW,
            Double voltageV,
            Double currentA,
            MeterStatus status,
            FaultCode fault,
            RelayState relay,
            Map<String, Object> extras) {
        this(meterId, seq, ts, energyKwh, powerW, voltageV, currentA, status, fault, relay, null, null, extras);
    }

    /** This reading with the export register and power set (either may be null: not known). */
    public Reading withExport(Double exportKwh, Double exportPowerW) {
        return new Reading(
                meterId, seq, ts, energyKwh, powerW, voltageV, currentA, status, fault, relay, exportKwh, exportPowerW,
                extras);
    }

    /** True when the reading carries the export register. */
    public boolean exports() {
        return exportKwh != null;
    }

    /** A reading with no optional extras: what simulated and real meters publish. */
    public static Reading of(
            String meterId,
            long seq,
            Instant ts,
            double energyKwh,
            Double powerW,
            Double voltageV,
            Double currentA,
            FaultCode fault,
            RelayState relay) {
        return new Reading(
                meterId,
                seq,
                ts,
                energyKwh,
                powerW,
                voltageV,
                currentA,
                fault == null ? MeterStatus.OK : MeterStatus.FAULT,
                fault,
                relay,
                null,
                null,
                Map.of());
    }
}
