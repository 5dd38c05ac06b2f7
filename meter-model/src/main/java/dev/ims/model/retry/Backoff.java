package dev.ims.model.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter: the wait before retry {@code attempt} (0 for the first retry) is
 * {@code initial}, twice that, four times … never more than {@code max}, less a random share of at most {@code jitter}
 * of it (0 = none, 0.5 = anywhere from half to all of it). Jitter only shortens a wait, so {@code max} stays the
 * longest; it spreads clients that failed together (a crowd at one server), while one local device (a serial port
 * coming back) needs none.
 *
 * <p>Immutable and thread-safe; {@link #next(int)} draws from {@link ThreadLocalRandom}.
 */
public record Backoff(Duration initial, Duration max, double jitter) {

    /** Doublings after which every wait is {@code max} whatever the ratio (2^30 > any sensible max / initial). */
    private static final int MAX_DOUBLINGS = 30;

    public Backoff {
        if (initial == null || max == null || initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, not " + initial + " and " + max);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff jitter must be within [0, 1], not " + jitter);
        }
    }

    /** Without jitter. */
    public Backoff(Duration initial, Duration max) {
        this(initial, max, 0);
    }

    /** The wait before retry {@code attempt} (0 for the first retry), jittered. */
    public Duration next(int attempt) {
        return next(attempt, ThreadLocalRandom.current()::nextDouble);
    }

    /** {@link #next(int)} with the random share drawn from {@code random} (values in [0, 1)). */
    public Duration next(int attempt, DoubleSupplier random) {
        Duration d = capped(attempt);
        if (jitter == 0) {
            return d;
        }
        long nanos = d.toNanos();
        return Duration.ofNanos(nanos - (long) (nanos * jitter * random.getAsDouble()));
    }

    /** The wait before retry {@code attempt} without jitter: {@code initial * 2^attempt}, at most {@code max}. */
    public Duration capped(int attempt) {
        if (attempt >= MAX_DOUBLINGS) {
            return max;
        }
        Duration d = initial.multipliedBy(1L << Math.max(0, attempt));
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Whether retry {@code attempt} waits the longest, {@code max} (before jitter): the doubling is over. */
    public boolean atCap(int attempt) {
        return capped(attempt).compareTo(max) >= 0;
    }
}
