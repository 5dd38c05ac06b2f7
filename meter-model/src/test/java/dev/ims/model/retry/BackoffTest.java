package dev.ims.model.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BackoffTest {

    private static final Backoff STEADY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

    @ParameterizedTest
    @CsvSource({"0, 100", "1, 200", "2, 400", "6, 6400", "7, 10000", "8, 10000", "40, 10000", "-1, 100"})
    void next_withoutJitter_doublesFromInitial_cappedAtMax(int attempt, long millis) {
        assertThat(STEADY.next(attempt)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void atCap_isFalseWhileDoubling_andTrueFromTheFirstWaitOfMax() {
        assertThat(STEADY.atCap(6)).isFalse();
        assertThat(STEADY.atCap(7)).isTrue();
        assertThat(STEADY.atCap(1_000)).isTrue();
    }

    @Test
    void next_withJitter_onlyShortensTheWait_byAtMostTheJitterShare() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0.5);
        assertThat(b.next(3, () -> 0)).isEqualTo(Duration.ofMillis(800));
        assertThat(b.next(3, () -> 0.5)).isEqualTo(Duration.ofMillis(600));
        assertThat(b.next(10, () -> 0.999_999)).isGreaterThan(Duration.ofMillis(5_000)).isLessThan(Duration.ofMillis(5_001));
    }

    @Test
    void next_withJitter_staysWithinItsBand_andSpreadsTheWaits() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2);
        SplittableRandom random = new SplittableRandom(13);
        java.util.Set<Duration> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            Duration d = b.next(i % 12, random::nextDouble);
            Duration full = b.capped(i % 12);
            assertThat(d).isLessThanOrEqualTo(full).isGreaterThanOrEqualTo(Duration.ofNanos(full.toNanos() * 8 / 10));
            seen.add(d);
        }
        assertThat(seen).hasSizeGreaterThan(500);
    }

    @Test
    void invalidPolicies_areRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
