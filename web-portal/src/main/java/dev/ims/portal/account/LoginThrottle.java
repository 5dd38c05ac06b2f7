package dev.ims.portal.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Limits attempts (log-ins, claim codes, sign-ups) per key with growing delays. An attempt is reserved
 * <em>before</em> the expensive check runs ({@link #reserve}) and counts as used until the caller says
 * otherwise ({@link Permit#release()}, {@link Permit#reset()}); so however many attempts arrive in parallel,
 * at most {@link Policy#free()} of them get through before the delays start. There is no lock-out that
 * a third party can trigger for good: after {@code free} counted attempts a key waits
 * {@code base × 2^(counted − free)}, capped at {@link Policy#cap()}, after its last attempt, and counted
 * attempts are forgotten {@link Policy#window()} after they were made.
 *
 * <p>Kept in memory per portal process: behind a load balancer each instance limits on its own, which still
 * bounds guessing to (instances × limit). Thread-safe: every decision about a key is taken under one lock, so
 * check and reservation are one atomic step. At most {@link #MAX_KEYS} keys are remembered; past that, keys
 * with nothing counted within their window are dropped first, then the oldest.
 */
public final class LoginThrottle {

    /** Keys remembered at most (each a few hundred bytes). */
    public static final int MAX_KEYS = 100_000;

    /**
     * @param free attempts a key may use at once before delays start
     * @param base the first delay, doubled for each further counted attempt
     * @param cap the longest delay
     * @param window how long a counted attempt is remembered; at least {@code cap}
     */
    public record Policy(int free, Duration base, Duration cap, Duration window) {
        public Policy {
            if (free < 1 || base.isNegative() || base.isZero() || cap.compareTo(base) < 0 || window.compareTo(cap) < 0) {
                throw new IllegalArgumentException("need free >= 1, 0 < base <= cap <= window: " + free + " " + base + " " + cap + " " + window);
            }
        }

        /** The delay after {@code counted} attempts: zero while they are at most {@link #free}. */
        Duration delayAfter(int counted) {
            if (counted < free) {
                return Duration.ZERO;
            }
            int doublings = Math.min(counted - free, 30);
            Duration d = base.multipliedBy(1L << doublings);
            return d.compareTo(cap) > 0 ? cap : d;
        }
    }

    /**
     * One reserved attempt. Exactly one of its methods should be called once the outcome is known; a second
     * call does nothing. Until then it counts as a used attempt.
     */
    public interface Permit {
        /** The attempt stays counted (a wrong password, a created account). */
        void keep();

        /** The attempt does not count (it never reached the check, e.g. the server was busy). */
        void release();

        /** The attempt does not count, and neither do the key's earlier ones (the right password). */
        void reset();
    }

    /** The answer to {@link #reserve}: a permit, or how long to wait. */
    public record Decision(Permit permit, Duration retryAfter) {
        public boolean allowed() {
            return permit != null;
        }
    }

    private final Policy policy;
    private final Clock clock;
    private final Map<String, State> states = new HashMap<>();

    public LoginThrottle(Policy policy, Clock clock) {
        this.policy = Objects.requireNonNull(policy);
        this.clock = Objects.requireNonNull(clock);
    }

    public Policy policy() {
        return policy;
    }

    /** Reserves an attempt for {@code key} when it may try now; else says how long until it may (at least 1 s). */
    public synchronized Decision reserve(String key) {
        Instant now = clock.instant();
        State s = states.get(key);
        if (s == null) {
            if (states.size() >= MAX_KEYS) {
                evict(now);
            }
            s = new State();
            states.put(key, s);
        }
        s.prune(now, policy.window());
        int used = s.counted.size() + s.pending;
        Duration delay = policy.delayAfter(used);
        if (!delay.isZero() && s.last != null) {
            Duration left = Duration.between(now, s.last.plus(delay));
            if (left.compareTo(Duration.ZERO) > 0) {
                return new Decision(null, left.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : left);
            }
        }
        s.pending++;
        s.last = now;
        return new Decision(new Reserved(key, s, now), Duration.ZERO);
    }

    /** Keys remembered now (for tests and metrics). */
    synchronized int size() {
        return states.size();
    }

    private void evict(Instant now) {
        states.values().removeIf(s -> {
            s.prune(now, policy.window());
            return s.counted.isEmpty() && s.pending == 0;
        });
        if (states.size() >= MAX_KEYS) {
            // Still full of live keys: drop the ones idle longest (their delays were the shortest to run out).
            List<String> oldest = states.entrySet().stream().filter(e -> e.getValue().pending == 0)
                    .sorted(Map.Entry.comparingByValue((a, b) -> a.last.compareTo(b.last)))
                    .limit(MAX_KEYS / 10).map(Map.Entry::getKey).toList();
            oldest.forEach(states::remove);
        }
    }

    private final class Reserved implements Permit {
        private final String key;
        private final State state;
        private final Instant at;
        private boolean done;

        Reserved(String key, State state, Instant at) {
            this.key = key;
            this.state = state;
            this.at = at;
        }

        @Override
        public void keep() {
            synchronized (LoginThrottle.this) {
                if (finish()) {
                    state.counted.addLast(at);
                }
            }
        }

        @Override
        public void release() {
            synchronized (LoginThrottle.this) {
                if (finish() && state.pending == 0 && state.counted.isEmpty()) {
                    states.remove(key, state);
                }
            }
        }

        @Override
        public void reset() {
            synchronized (LoginThrottle.this) {
                if (finish()) {
                    state.counted.clear();
                    if (state.pending == 0) {
                        states.remove(key, state);
                    }
                }
            }
        }

        private boolean finish() {
            if (done) {
                return false;
            }
            done = true;
            state.pending--;
            return true;
        }
    }

    /** Guarded by the throttle's lock. */
    private static final class State {
        final Deque<Instant> counted = new ArrayDeque<>();
        int pending;
        Instant last;

        void prune(Instant now, Duration window) {
            Instant oldest = now.minus(window);
            while (!counted.isEmpty() && counted.peekFirst().isBefore(oldest)) {
                counted.removeFirst();
            }
        }
    }
}
