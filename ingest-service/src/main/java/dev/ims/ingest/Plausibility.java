package dev.ims.ingest;

import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether a well-formed reading fits its meter's last stored one. A meter counts forward: its {@code seq}
 * cannot run ahead faster than it takes readings, and its register cannot grow faster than its
 * connection can draw. A reading that breaks either is quarantined (it never becomes the meter's latest
 * reading and never reaches a rollup), so one forged or corrupted reading cannot move a bill or lock out
 * the genuine readings after it. Pure and thread-safe.
 *
 * <p>A reading older than the last one (by {@code seq}) is checked the other way round: the last one
 * must be reachable from it. What it cannot be checked against is its stored neighbours: out-of-order
 * readings are rare (redeliveries, the in-flight window), and looking the neighbours up would cost a
 * query each.
 */
final class Plausibility {

    /** A meter's last stored reading, as far as the checks need it. */
    record Baseline(long seq, double energyKwh, Instant ts) {}

    /** Why a reading was quarantined. */
    record Verdict(RejectReason reason, String detail) {}

    private final IngestLimits limits;

    Plausibility(IngestLimits limits) {
        this.limits = limits;
    }

    /** Null when {@code r} fits {@code last} (or there is no last reading), else why not. */
    Verdict check(Reading r, Baseline last) {
        if (last == null || r.seq() == last.seq()) {
            return null; // the first reading, or a redelivery: the store tells a duplicate from a conflict
        }
        boolean later = r.seq() > last.seq();
        if (later && r.energyKwh() < last.energyKwh()) {
            return new Verdict(RejectReason.REGISTER_BACKWARDS, "energyKwh " + r.energyKwh() + " at seq " + r.seq()
                    + " is below " + last.energyKwh() + " at earlier seq " + last.seq());
        }
        if (!later && r.energyKwh() > last.energyKwh()) {
            return new Verdict(RejectReason.REGISTER_BACKWARDS, "energyKwh " + r.energyKwh() + " at seq " + r.seq()
                    + " is above " + last.energyKwh() + " at later seq " + last.seq());
        }
        long seqStep = Math.abs(r.seq() - last.seq());
        Duration elapsed = later ? Duration.between(last.ts(), r.ts()) : Duration.between(r.ts(), last.ts());
        long elapsedMs = Math.max(0, elapsed.toMillis());
        long allowedSteps = elapsedMs / limits.minReadingSpacing().toMillis() + limits.seqSlack();
        if (seqStep > allowedSteps) {
            return new Verdict(RejectReason.SEQ_JUMP, "seq " + r.seq() + " is " + seqStep + " from stored seq " + last.seq()
                    + " (" + seconds(elapsedMs) + " s apart); at most " + allowedSteps + " readings fit in that time");
        }
        double grown = Math.abs(r.energyKwh() - last.energyKwh());
        double allowedKwh = limits.maxPowerKw() * elapsedMs / 3_600_000.0 + limits.registerToleranceKwh();
        if (grown > allowedKwh) {
            return new Verdict(RejectReason.IMPLAUSIBLE_CONSUMPTION, "the register moved " + round(grown) + " kWh between seq "
                    + Math.min(r.seq(), last.seq()) + " and seq " + Math.max(r.seq(), last.seq()) + " (" + seconds(elapsedMs)
                    + " s apart); at most " + round(allowedKwh) + " kWh fit at " + limits.maxPowerKw() + " kW");
        }
        return null;
    }

    private static String seconds(long ms) {
        return Long.toString(ms / 1000);
    }

    private static String round(double kwh) {
        return String.format(java.util.Locale.ROOT, "%.3f", kwh);
    }
}
