package dev.ims.portal.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.account.LoginThrottle.Decision;
import dev.ims.portal.account.LoginThrottle.Policy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    static final Policy POLICY = new Policy(5, Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofHours(1));

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    final ManualClock clock = new ManualClock();
    final LoginThrottle throttle = new LoginThrottle(POLICY, clock);

    @Test
    void parallelReservations_neverExceedTheFreeAttempts() throws Exception {
        int threads = 64;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Decision>> answers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            answers.add(pool.submit(() -> {
                go.await();
                return throttle.reserve("k");
            }));
        }
        go.countDown();
        int allowed = 0;
        for (Future<Decision> f : answers) {
            Decision d = f.get(10, TimeUnit.SECONDS);
            if (d.allowed()) {
                allowed++;
            } else {
                assertThat(d.retryAfter()).isPositive();
            }
        }
        pool.shutdown();
        assertThat(allowed).isEqualTo(5);
    }

    @Test
    void reservation_countsUntilReleased_andReleasedOnesDoNotCount() {
        List<LoginThrottle.Permit> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(throttle.reserve("k").permit());
        }
        assertThat(throttle.reserve("k").allowed()).as("five pending reservations use the free attempts").isFalse();
        held.forEach(LoginThrottle.Permit::release);
        assertThat(throttle.reserve("k").allowed()).isTrue();
    }

    @Test
    void afterTheFreeAttempts_delaysDouble_upToTheCap() {
        for (int i = 0; i < 5; i++) {
            throttle.reserve("k").permit().keep();
        }
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Decision refused = throttle.reserve("k");
            assertThat(refused.allowed()).isFalse();
            waits.add(refused.retryAfter().toSeconds());
            clock.advance(refused.retryAfter());
            throttle.reserve("k").permit().keep();
        }
        assertThat(waits).containsExactly(30L, 60L, 120L, 240L, 480L, 900L, 900L, 900L);
    }

    @Test
    void countedAttempts_areForgottenAfterTheWindow() {
        for (int i = 0; i < 5; i++) {
            throttle.reserve("k").permit().keep();
        }
        assertThat(throttle.reserve("k").allowed()).isFalse();
        clock.advance(Duration.ofHours(1).plusSeconds(1));
        assertThat(throttle.reserve("k").allowed()).isTrue();
    }

    @Test
    void reset_clearsTheKey_andOtherKeysAreUnaffected() {
        for (int i = 0; i < 4; i++) {
            throttle.reserve("k").permit().keep();
        }
        for (int i = 0; i < 5; i++) {
            throttle.reserve("other").permit().keep();
        }
        throttle.reserve("k").permit().reset();
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.reserve("k").allowed()).isTrue();
        }
        assertThat(throttle.reserve("other").allowed()).isFalse();
    }

    @Test
    void aPermit_decidesOnce() {
        LoginThrottle.Permit p = throttle.reserve("k").permit();
        p.release();
        p.keep();
        p.keep();
        for (int i = 0; i < 5; i++) {
            assertThat(throttle.reserve("k").allowed()).as("attempt " + i).isTrue();
        }
    }

    @Test
    void aRefusedReservation_leavesNoTrace() {
        for (int i = 0; i < 5; i++) {
            throttle.reserve("k").permit().keep();
        }
        Decision refused = throttle.reserve("k");
        clock.advance(refused.retryAfter());
        assertThat(throttle.reserve("k").allowed()).as("refusals neither count nor push the next try further out").isTrue();
    }

    @Test
    void policy_refusesNonsense() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Policy(0, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Policy(1, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
