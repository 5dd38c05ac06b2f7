package dev.ims.ingest;

import java.time.Duration;
import java.util.Map;

/**
 * What the ingest believes of a meter and how much of a hostile flood it keeps. Read once from the
 * environment ({@link #from(Map)}); every default is named here.
 *
 * @param minReadingSpacing the shortest interval at which a meter takes readings. A reading's {@code seq}
 *     may run ahead of the meter's last stored one by at most (time between the two readings / this) +
 *     {@link #seqSlack}; more is a {@code SEQ_JUMP}. Default 1 s (DSMR 5 meters send a telegram a second)
 * @param seqSlack how far {@code seq} may run ahead regardless of time (clock jitter between readings)
 * @param maxPowerKw the highest average power a meter's connection can draw: the register may grow by at
 *     most this times the time between two readings, plus {@link #registerToleranceKwh}; more is
 *     {@code IMPLAUSIBLE_CONSUMPTION}. Default 100 kW, above any household or small-business connection
 * @param registerToleranceKwh growth always allowed (register resolution, readings a moment apart)
 * @param maxTrackedMeters meters whose last reading the ingest keeps in memory (least recently seen are
 *     evicted and re-read from the store when they report again)
 * @param maxAttempts how often a message that fails for a reason other than the database being down is
 *     tried before it is quarantined as {@code PROCESSING_FAILED}
 * @param rejectedRetention how long rejected payloads are kept (a TTL index, and a purge for stores
 *     without TTL indexes)
 * @param rejectedPerSourcePerMinute rejected payloads stored per source (meter ID of the topic, else the
 *     topic) and minute; the rest are counted, not stored
 * @param rejectedPerMinute rejected payloads stored per minute by this instance across all sources
 * @param rollupDelay how long a busy ingest may hold the day-document and meter-document writes of readings already
 *     stored in their hour buckets (and acknowledged), to write each meter's once for all it sent meanwhile
 *     ({@link DeferredRollups}); zero writes them with every batch. Default 2 s: measured on the field profile (1 600
 *     meters, one reading each per round) it halves the writes per reading; a meter's usage, latest reading and
 *     {@code lastSeen} may lag its readings by that much under load, never when the ingest is idle
 */
public record IngestLimits(
        Duration minReadingSpacing,
        long seqSlack,
        double maxPowerKw,
        double registerToleranceKwh,
        int maxTrackedMeters,
        int maxAttempts,
        Duration rejectedRetention,
        int rejectedPerSourcePerMinute,
        int rejectedPerMinute,
        Duration rollupDelay) {

    public static final Duration DEFAULT_MIN_READING_SPACING = Duration.ofSeconds(1);
    public static final long DEFAULT_SEQ_SLACK = 10;
    public static final double DEFAULT_MAX_POWER_KW = 100;
    public static final double DEFAULT_REGISTER_TOLERANCE_KWH = 0.01;
    public static final int DEFAULT_MAX_TRACKED_METERS = 200_000;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_REJECTED_RETENTION = Duration.ofDays(30);
    public static final int DEFAULT_REJECTED_PER_SOURCE_PER_MINUTE = 20;
    public static final int DEFAULT_REJECTED_PER_MINUTE = 600;
    public static final Duration DEFAULT_ROLLUP_DELAY = Duration.ofSeconds(2);
    /** The longest {@code INGEST_ROLLUP_DELAY_MS} accepted: usage and a meter's latest reading must not lag longer. */
    public static final Duration MAX_ROLLUP_DELAY = Duration.ofSeconds(60);

    public static final IngestLimits DEFAULTS = new IngestLimits(DEFAULT_MIN_READING_SPACING, DEFAULT_SEQ_SLACK,
            DEFAULT_MAX_POWER_KW, DEFAULT_REGISTER_TOLERANCE_KWH, DEFAULT_MAX_TRACKED_METERS, DEFAULT_MAX_ATTEMPTS,
            DEFAULT_REJECTED_RETENTION, DEFAULT_REJECTED_PER_SOURCE_PER_MINUTE, DEFAULT_REJECTED_PER_MINUTE, DEFAULT_ROLLUP_DELAY);

    public IngestLimits {
        if (minReadingSpacing.isNegative() || minReadingSpacing.isZero() || seqSlack < 0 || !(maxPowerKw > 0)
                || registerToleranceKwh < 0 || maxTrackedMeters < 1 || maxAttempts < 1 || rejectedRetention.toSeconds() < 60
                || rejectedPerSourcePerMinute < 1 || rejectedPerMinute < 1 || rollupDelay.isNegative()
                || rollupDelay.compareTo(MAX_ROLLUP_DELAY) > 0) {
            throw new IllegalArgumentException("ingest limits out of range: " + this);
        }
    }

    /** Limits with the default {@link #rollupDelay()}. */
    public IngestLimits(Duration minReadingSpacing, long seqSlack, double maxPowerKw, double registerToleranceKwh, int maxTrackedMeters,
            int maxAttempts, Duration rejectedRetention, int rejectedPerSourcePerMinute, int rejectedPerMinute) {
        this(minReadingSpacing, seqSlack, maxPowerKw, registerToleranceKwh, maxTrackedMeters, maxAttempts, rejectedRetention,
                rejectedPerSourcePerMinute, rejectedPerMinute, DEFAULT_ROLLUP_DELAY);
    }

    /**
     * The defaults, overridden by {@code INGEST_MAX_POWER_KW}, {@code INGEST_MIN_READING_SPACING_MS},
     * {@code INGEST_SEQ_SLACK}, {@code REJECTED_RETENTION_DAYS}, {@code REJECTED_PER_SOURCE_PER_MINUTE},
     * {@code REJECTED_PER_MINUTE}, {@code INGEST_ROLLUP_DELAY_MS} (0 to 60 000).
     *
     * @throws IllegalArgumentException naming the variable when a value is not a number or out of range
     */
    public static IngestLimits from(Map<String, String> env) {
        return new IngestLimits(
                Duration.ofMillis(number(env, "INGEST_MIN_READING_SPACING_MS", DEFAULT_MIN_READING_SPACING.toMillis(), 1)),
                number(env, "INGEST_SEQ_SLACK", DEFAULT_SEQ_SLACK, 0),
                decimal(env, "INGEST_MAX_POWER_KW", DEFAULT_MAX_POWER_KW),
                DEFAULT_REGISTER_TOLERANCE_KWH,
                DEFAULT_MAX_TRACKED_METERS,
                DEFAULT_MAX_ATTEMPTS,
                Duration.ofDays(number(env, "REJECTED_RETENTION_DAYS", DEFAULT_REJECTED_RETENTION.toDays(), 1)),
                (int) number(env, "REJECTED_PER_SOURCE_PER_MINUTE", DEFAULT_REJECTED_PER_SOURCE_PER_MINUTE, 1),
                (int) number(env, "REJECTED_PER_MINUTE", DEFAULT_REJECTED_PER_MINUTE, 1),
                Duration.ofMillis(bounded(env, "INGEST_ROLLUP_DELAY_MS", DEFAULT_ROLLUP_DELAY.toMillis(), 0, MAX_ROLLUP_DELAY.toMillis())));
    }

    public IngestLimits withRejectedSampling(int perSourcePerMinute, int perMinute) {
        return new IngestLimits(minReadingSpacing, seqSlack, maxPowerKw, registerToleranceKwh, maxTrackedMeters, maxAttempts,
                rejectedRetention, perSourcePerMinute, perMinute, rollupDelay);
    }

    public IngestLimits withMaxTrackedMeters(int max) {
        return new IngestLimits(minReadingSpacing, seqSlack, maxPowerKw, registerToleranceKwh, max, maxAttempts,
                rejectedRetention, rejectedPerSourcePerMinute, rejectedPerMinute, rollupDelay);
    }

    /** These limits with another {@link #rollupDelay()} (zero: days and meters written with every batch). */
    public IngestLimits withRollupDelay(Duration delay) {
        return new IngestLimits(minReadingSpacing, seqSlack, maxPowerKw, registerToleranceKwh, maxTrackedMeters, maxAttempts,
                rejectedRetention, rejectedPerSourcePerMinute, rejectedPerMinute, delay);
    }

    private static long bounded(Map<String, String> env, String name, long fallback, long min, long max) {
        long n = number(env, name, fallback, min);
        if (n > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    private static long number(Map<String, String> env, String name, long fallback, long min) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + Integer.MAX_VALUE + ", got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
        }
    }

    private static double decimal(Map<String, String> env, String name, double fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(name + " must be a positive number, got " + v);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
        }
    }
}
