package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a batch may leave its day and meter writes for later: only while busy, and never past the delay. No store. */
class DeferredRollupsTest {

    private final MutableClock clock = new MutableClock();
    private final UsageCalendar utc = new UsageCalendar(ZoneId.of("UTC"));

    private static Reading reading(long seq) {
        return Reading.of("IMS-1", seq, Instant.parse("2026-11-24T10:00:00Z").plusSeconds(seq), 1 + seq * 0.01, null, null, null, null, null);
    }

    @Test
    void idle_aBatchIsNeverDeferred() {
        DeferredRollups rollups = new DeferredRollups(null, utc, "i", Duration.ofSeconds(2), clock);
        assertThat(rollups.mayDefer(false)).isFalse();
        assertThat(rollups.mayDefer(true)).isTrue();
    }

    @Test
    void delayZero_nothingIsEverDeferred() {
        DeferredRollups rollups = new DeferredRollups(null, utc, "i", Duration.ZERO, clock);
        assertThat(rollups.mayDefer(true)).isFalse();
    }

    @Test
    void heldReadings_becomeDueAfterTheDelay_thenNoBatchIsDeferredUntilTheyAreWritten() {
        DeferredRollups rollups = new DeferredRollups(null, utc, "i", Duration.ofSeconds(2), clock);
        rollups.add(List.of(reading(1), reading(2)), clock.instant());
        assertThat(rollups.due()).isFalse();
        clock.advance(1_999);
        rollups.add(List.of(reading(3)), clock.instant()); // a later reading does not push the oldest's deadline
        assertThat(rollups.due()).isFalse();
        assertThat(rollups.mayDefer(true)).isTrue();
        clock.advance(1);
        assertThat(rollups.due()).isTrue();
        assertThat(rollups.mayDefer(true)).isFalse();
        rollups.drop();
        assertThat(rollups.due()).isFalse();
        assertThat(rollups.isEmpty()).isTrue();
    }

    @Test
    void aRedeliveredReading_isHeldOnce() {
        DeferredRollups rollups = new DeferredRollups(null, utc, "i", Duration.ofSeconds(2), clock);
        rollups.add(List.of(reading(1), reading(2)), clock.instant());
        rollups.add(List.of(reading(2), reading(3)), clock.instant());
        assertThat(rollups.size()).isEqualTo(3);
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
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
