package dev.ims.bridge;

import java.time.Duration;

/**
 * Capped exponential backoff: {@code first}, twice that, four times … never more than {@code max}. Without jitter: it
 * paces one local device (a serial port coming back), not a crowd of clients at one server.
 */
public record Backoff(Duration first, Duration max) {

    /** A P1 port that goes away: tried again after 1 s, 2 s, 4 s … at most every 30 s. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    public Backoff {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < first <= max, not " + first + " and " + max);
        }
    }

    /** The wait before attempt {@code attempt} (0 for the first retry). */
    public Duration delay(int attempt) {
        if (attempt >= 30) {
            return max;
        }
        Duration d = first.multipliedBy(1L << Math.max(0, attempt));
        return d.compareTo(max) > 0 ? max : d;
    }
}
