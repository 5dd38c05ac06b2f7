package dev.ims.model.reading;

import dev.ims.model.circuit.CircuitCodec;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.meter.MeterIds;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * @param circuits the values of the meter's circuits (at most 16, ids unique), empty when it has none; the meter's
 *     own {@code energyKwh} stays the whole house
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
        List<CircuitReading> circuits,
        Map<String, Object> extras) {

    public Reading {
        Objects.requireNonNull(meterId, "meterId");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(status, "status");
        circuits = circuits == null ? List.of() : List.copyOf(circuits);
        CircuitCodec.requireUniqueIds(circuits.stream().map(CircuitReading::id).toList());
        extras = extras == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /** A reading without circuits. */
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
            Double exportKwh,
            Double exportPowerW,
            Map<String, Object> extras) {
        this(meterId, seq, ts, energyKwh, powerW, voltageV, currentA, status, fault, relay, exportKwh, exportPowerW,
                List.of(), extras);
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
        this(meterId, seq, ts, energyKwh, powerW, voltageV, currentA, status, fault, relay, null, null, List.of(), extras);
    }

    /** This reading with the export register and power set (either may be null: not known). */
    public Reading withExport(Double exportKwh, Double exportPowerW) {
        return new Reading(
                meterId, seq, ts, energyKwh, powerW, voltageV, currentA, status, fault, relay, exportKwh, exportPowerW,
                circuits, extras);
    }

    /** This reading with {@code circuits} as its circuit values (null or empty: none). */
    public Reading withCircuits(List<CircuitReading> circuits) {
        return new Reading(
                meterId, seq, ts, energyKwh, powerW, voltageV, currentA, status, fault, relay, exportKwh, exportPowerW,
                circuits, extras);
    }

    /** The values of circuit {@code id}, or null when the reading has none for it. */
    public CircuitReading circuit(String id) {
        for (CircuitReading c : circuits) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        return null;
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
                List.of(),
                Map.of());
    }
}
