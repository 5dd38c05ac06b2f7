package dev.ims.bridge;

import dev.ims.model.status.SourceHealth;
import dev.ims.model.status.SourceHealth.SourceState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches whether the measurement source still gives data ({@link EnergySource#lastData()}): it logs the moment the
 * source falls silent and the moment data is back (one line each), makes the report the status message carries, and
 * says when the silence has lasted so long that the bridge should exit and let its service manager restart it (a
 * restart reopens the device from scratch, e.g. after a USB adapter was re-enumerated).
 *
 * <p>A source whose silence means nothing (S0: no pulse is no consumption) is never silent.
 */
final class SourceWatch {

    private static final Logger LOG = LoggerFactory.getLogger(SourceWatch.class);

    /** What one look at the source found. */
    enum Verdict {
        /** Nothing new. */
        SAME,
        /** The source fell silent, or came back: the report has changed. */
        CHANGED,
        /** Silent for longer than the exit time: the bridge should exit. */
        EXIT
    }

    /**
     * @param silentAfter no data for this long is silence
     * @param exitAfter silence for this long makes the bridge exit; zero or negative: never
     */
    record Limits(Duration silentAfter, Duration exitAfter) {
        Limits {
            if (silentAfter == null || silentAfter.isNegative() || silentAfter.isZero()) {
                throw new IllegalArgumentException("the silence time must be positive");
            }
            if (exitAfter == null) {
                exitAfter = Duration.ZERO;
            }
            if (!exitAfter.isZero() && !exitAfter.isNegative() && exitAfter.compareTo(silentAfter) < 0) {
                throw new IllegalArgumentException("the exit time (" + exitAfter + ") must not be shorter than the silence time (" + silentAfter + ")");
            }
        }

        /** The defaults for a reading every {@code interval}: silent after three missed readings and at least a minute, exit after 10 min. */
        static Limits forInterval(Duration interval) {
            Duration silent = interval.multipliedBy(3);
            return new Limits(silent.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : silent, Duration.ofMinutes(10));
        }
    }

    private final EnergySource source;
    private final Limits limits;
    private final Supplier<Map<String, Long>> bridgeCounters;
    private SourceState state = SourceState.OK;

    /** @param bridgeCounters the bridge's own counters, reported beside the source's */
    SourceWatch(EnergySource source, Limits limits, Supplier<Map<String, Long>> bridgeCounters) {
        this.source = source;
        this.limits = limits;
        this.bridgeCounters = bridgeCounters;
    }

    synchronized Verdict check(Instant now) {
        Instant last = source.lastData();
        if (last == null) {
            return Verdict.SAME;
        }
        Duration quiet = Duration.between(last, now);
        boolean silent = quiet.compareTo(limits.silentAfter()) >= 0;
        Verdict verdict = Verdict.SAME;
        if (silent && state == SourceState.OK) {
            state = SourceState.SILENT;
            LOG.warn("No data from {} since {} ({} s){}", source, last, quiet.toSeconds(), exitNote());
            verdict = Verdict.CHANGED;
        } else if (!silent && state == SourceState.SILENT) {
            state = SourceState.OK;
            LOG.info("Data from {} again (last at {})", source, last);
            verdict = Verdict.CHANGED;
        }
        if (silent && !limits.exitAfter().isZero() && !limits.exitAfter().isNegative() && quiet.compareTo(limits.exitAfter()) >= 0) {
            LOG.error("No data from {} for {} s (since {}): the bridge exits so that its service manager restarts it", source, quiet.toSeconds(), last);
            return Verdict.EXIT;
        }
        return verdict;
    }

    private String exitNote() {
        return limits.exitAfter().isZero() || limits.exitAfter().isNegative() ? ""
                : "; the bridge exits if it lasts " + limits.exitAfter().toSeconds() + " s";
    }

    synchronized SourceState state() {
        return state;
    }

    /** The report for the status message: state, last data, the source's and the bridge's counters (at most the contract's number). */
    synchronized SourceHealth report(Instant now) {
        Map<String, Long> counters = new LinkedHashMap<>();
        bridgeCounters.get().forEach(counters::put);
        source.counters().forEach(counters::putIfAbsent);
        Map<String, Long> kept = new LinkedHashMap<>();
        counters.entrySet().stream().filter(e -> SourceHealth.isCounterName(e.getKey()) && e.getValue() != null && e.getValue() >= 0)
                .limit(SourceHealth.MAX_COUNTERS).forEach(e -> kept.put(e.getKey(), e.getValue()));
        return new SourceHealth(now, state, source.lastData(), kept);
    }
}
