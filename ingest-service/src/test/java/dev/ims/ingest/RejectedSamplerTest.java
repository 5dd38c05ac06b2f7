package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RejectedSamplerTest {

    private final MutableClock clock = new MutableClock();

    @Test
    void oneSource_isStoredUpToItsRate_thenRefillsOverTime() {
        RejectedSampler s = new RejectedSampler(20, 1000, clock);
        assertThat(count(s, "m-1", 100)).isEqualTo(20);
        clock.advance(3_000); // 3 s at 20 a minute: one more
        assertThat(count(s, "m-1", 100)).isEqualTo(1);
        clock.advance(600_000); // refills to its capacity, not beyond
        assertThat(count(s, "m-1", 100)).isEqualTo(20);
    }

    @Test
    void sources_haveTheirOwnBuckets_underAGlobalCap() {
        RejectedSampler s = new RejectedSampler(20, 50, clock);
        assertThat(count(s, "m-1", 100)).isEqualTo(20);
        assertThat(count(s, "m-2", 100)).isEqualTo(20);
        assertThat(count(s, "m-3", 100)).isEqualTo(10); // the global cap
        int stored = 0;
        for (int i = 0; i < 10_000; i++) {
            stored += s.store("random-" + i) ? 1 : 0;
        }
        assertThat(stored).isZero(); // new sources do not get around the global cap
    }

    private static int count(RejectedSampler s, String source, int tries) {
        int n = 0;
        for (int i = 0; i < tries; i++) {
            n += s.store(source) ? 1 : 0;
        }
        return n;
    }

    private static final class MutableClock extends Clock {
        private long millis = Instant.parse("2026-11-24T10:00:00Z").toEpochMilli();

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
