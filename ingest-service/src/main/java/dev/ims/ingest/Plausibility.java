package dev.ims.ingest;

import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether a well-formed reading fits its meter's last stored one. A meter counts forward: its {@code seq}
 * cannot run ahead faster than it takes readings, and its register cannot grow faster than its
 * connection can draw (nor its export register faster than it can feed in, nor a circuit's register faster than
 * the meter's: the same limit; a circuit register never goes backwards either). A reading
 * that breaks either is quarantined (it never becomes the meter's latest reading and never reaches a
 * rollup), so one forged or corrupted reading cannot move a bill or lock out the genuine readings after
 * it. Pure and thread-safe.
 *
 * <p>A reading older than the last one (by {@code seq}) is checked the other way round: the last one
 * must be reachable from it. What it cannot be checked against is its stored neighbours: out-of-order
 * readings are rare (redeliveries, the in-flight window), and looking the neighbours up would cost a
 * query each.
 */
final class Plausibility {

    /**
     * A meter's last stored reading, as far as the checks need it.
     *
     * @param export the newest stored export register, or null when the meter never reported one (as far
     *     as known). Kept apart from the reading's own seq and time: a reading without the optional export
     *     register (a meter that cannot tell for a moment) must neither fail the check nor erase it
     */
    record Baseline(long seq, double energyKwh, Instant ts, Register export, Map<String, Register> circuits) {

        /**
         * @param circuits per circuit ID, its newest stored register (kept like {@code export}: a reading that lacks a
         *     circuit neither fails its check nor erases it)
         */
        Baseline {
            circuits = circuits == null ? Map.of() : Map.copyOf(circuits);
        }

        /** A baseline without circuits. */
        Baseline(long seq, double energyKwh, Instant ts, Register export) {
            this(seq, energyKwh, ts, export, Map.of());
        }

        /** A baseline without an export register. */
        Baseline(long seq, double energyKwh, Instant ts) {
            this(seq, energyKwh, ts, null, Map.of());
        }

        /**
         * The baseline once {@code r} passed (checked or accepted by staff): {@code last} itself unless
         * {@code r} is newer (a redelivery may yet turn out a conflicting duplicate, so it moves nothing).
         * A newer reading without the export register keeps the last one known. {@code last} may be null.
         */
        static Baseline after(Baseline last, Reading r) {
            if (last != null && r.seq() <= last.seq()) {
                return last;
            }
            Register export = r.exportKwh() != null ? new Register(r.seq(), r.exportKwh(), r.ts())
                    : last == null ? null : last.export();
            Map<String, Register> circuits = new HashMap<>(last == null ? Map.of() : last.circuits());
            for (CircuitReading c : r.circuits()) {
                circuits.put(c.id(), new Register(r.seq(), c.energyKwh(), r.ts()));
            }
            return new Baseline(r.seq(), r.energyKwh(), r.ts(), export, circuits);
        }
    }

    /** One register's value at a reading of the meter. */
    record Register(long seq, double kwh, Instant ts) {}

    /** Why a reading was quarantined. */
    record Verdict(RejectReason reason, String detail) {}

    private final IngestLimits limits;

    Plausibility(IngestLimits limits) {
        this.limits = limits;
    }

    /**
     * Null when {@code r} fits {@code last} (or there is no last reading), else why not. The import register
     * ({@code energyKwh}) and, when both readings carry one, the export register ({@code exportKwh}) are held
     * to the same rules: never backwards ({@code REGISTER_BACKWARDS}), never faster than the maximum power
     * ({@code IMPLAUSIBLE_CONSUMPTION}).
     */
    Verdict check(Reading r, Baseline last) {
        if (last == null || r.seq() == last.seq()) {
            return null; // the first reading, or a redelivery: the store tells a duplicate from a conflict
        }
        Register imported = new Register(last.seq(), last.energyKwh(), last.ts());
        Register exported = r.exportKwh() == null || last.export() == null || r.seq() == last.export().seq()
                ? null : last.export();
        Verdict v = backwards("energyKwh", r, r.energyKwh(), imported);
        if (v == null && exported != null) {
            v = backwards("exportKwh", r, r.exportKwh(), exported);
        }
        for (CircuitReading c : r.circuits()) {
            Register circuit = last.circuits().get(c.id());
            if (v == null && circuit != null && circuit.seq() != r.seq()) {
                v = backwards("circuit '" + c.id() + "' energyKwh", r, c.energyKwh(), circuit);
            }
        }
        if (v != null) {
            return v;
        }
        boolean later = r.seq() > last.seq();
        long seqStep = Math.abs(r.seq() - last.seq());
        long elapsedMs = elapsedMs(r, last.ts(), later);
        long allowedSteps = elapsedMs / limits.minReadingSpacing().toMillis() + limits.seqSlack();
        if (seqStep > allowedSteps) {
            return new Verdict(RejectReason.SEQ_JUMP, "seq " + r.seq() + " is " + seqStep + " from stored seq " + last.seq()
                    + " (" + seconds(elapsedMs) + " s apart); at most " + allowedSteps + " readings fit in that time");
        }
        v = tooFast("the register", r, r.energyKwh(), imported);
        if (v == null && exported != null) {
            v = tooFast("the export register", r, r.exportKwh(), exported);
        }
        for (CircuitReading c : r.circuits()) {
            Register circuit = last.circuits().get(c.id());
            if (v == null && circuit != null && circuit.seq() != r.seq()) {
                v = tooFast("circuit '" + c.id() + "' register", r, c.energyKwh(), circuit);
            }
        }
        return v;
    }

    /** A register lower than at an earlier reading, or higher than at a later one. */
    private static Verdict backwards(String field, Reading r, double value, Register last) {
        if (r.seq() > last.seq() && value < last.kwh()) {
            return new Verdict(RejectReason.REGISTER_BACKWARDS, field + " " + value + " at seq " + r.seq()
                    + " is below " + last.kwh() + " at earlier seq " + last.seq());
        }
        if (r.seq() < last.seq() && value > last.kwh()) {
            return new Verdict(RejectReason.REGISTER_BACKWARDS, field + " " + value + " at seq " + r.seq()
                    + " is above " + last.kwh() + " at later seq " + last.seq());
        }
        return null;
    }

    /** A register that moved further than the maximum power allows in the time between the two readings. */
    private Verdict tooFast(String what, Reading r, double value, Register last) {
        long elapsedMs = elapsedMs(r, last.ts(), r.seq() > last.seq());
        double grown = Math.abs(value - last.kwh());
        double allowedKwh = limits.maxPowerKw() * elapsedMs / 3_600_000.0 + limits.registerToleranceKwh();
        if (grown > allowedKwh) {
            return new Verdict(RejectReason.IMPLAUSIBLE_CONSUMPTION, what + " moved " + round(grown) + " kWh between seq "
                    + Math.min(r.seq(), last.seq()) + " and seq " + Math.max(r.seq(), last.seq()) + " (" + seconds(elapsedMs)
                    + " s apart); at most " + round(allowedKwh) + " kWh fit at " + limits.maxPowerKw() + " kW");
        }
        return null;
    }

    /** Time from the earlier of the two readings to the later one by seq; never negative. */
    private static long elapsedMs(Reading r, Instant lastTs, boolean later) {
        Duration elapsed = later ? Duration.between(lastTs, r.ts()) : Duration.between(r.ts(), lastTs);
        return Math.max(0, elapsed.toMillis());
    }

    private static String seconds(long ms) {
        return Long.toString(ms / 1000);
    }

    private static String round(double kwh) {
        return String.format(java.util.Locale.ROOT, "%.3f", kwh);
    }
}
