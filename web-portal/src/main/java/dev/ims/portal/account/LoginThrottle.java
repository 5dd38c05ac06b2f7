package dev.ims.portal.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed attempts (log-ins, claim codes) per key within a sliding window. Kept in memory per portal
 * process: behind a load balancer each instance limits on its own, which still bounds guessing to
 * (instances × limit) per window. Thread-safe.
 */
public final class LoginThrottle {

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public LoginThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** Zero when {@code key} may try now, else how long until it may. */
    public Duration retryAfter(String key) {
        Deque<Instant> q = failures.get(key);
        if (q == null) {
            return Duration.ZERO;
        }
        synchronized (q) {
            prune(q);
            if (q.size() < maxFailures) {
                return Duration.ZERO;
            }
            return Duration.between(clock.instant(), q.peekFirst().plus(window));
        }
    }

    public void failed(String key) {
        Deque<Instant> q = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            prune(q);
            q.addLast(clock.instant());
        }
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> retryAfter(e.getKey()).isZero());
        }
    }

    public void succeeded(String key) {
        failures.remove(key);
    }

    private void prune(Deque<Instant> q) {
        Instant oldest = clock.instant().minus(window);
        while (!q.isEmpty() && q.peekFirst().isBefore(oldest)) {
            q.removeFirst();
        }
    }
}
