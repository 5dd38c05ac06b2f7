package dev.ims.portal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.store.DaySummary;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The day cache keeps a meter's days under one version only, and holds no more than its weight allows. */
class DayCacheTest {

    static final DayCache.Version V1 = new DayCache.Version(1L, 10L, 0L, 5L, 1L);
    static final DayCache.Version V2 = new DayCache.Version(2L, 10L, 0L, 5L, 2L);

    @Test
    void current_withAnotherVersion_startsEmpty_withTheSameVersion_keepsTheDays() {
        DayCache cache = new DayCache(1_000);
        DayCache.MeterDays days = cache.current("m-1", V1);
        days.part(UsageRepository.Part.HOURS).put(LocalDate.parse("2026-02-01"), Optional.empty());
        assertThat(cache.current("m-1", new DayCache.Version(1L, 10L, 0L, 5L, 1L))).isSameAs(days);
        DayCache.MeterDays newer = cache.current("m-1", V2);
        assertThat(newer).isNotSameAs(days);
        assertThat(newer.part(UsageRepository.Part.HOURS)).isEmpty();
        // Only the write counter moved (a write within the same millisecond, or another ingest instance's older readings).
        assertThat(cache.current("m-1", new DayCache.Version(2L, 10L, 0L, 5L, 3L))).isNotSameAs(newer);
        // Another meter's days are its own.
        assertThat(cache.current("m-2", V1).part(UsageRepository.Part.HOURS)).isEmpty();
    }

    @Test
    void weightHeld_staysWithinTheLimit_leastRecentlyUsedMetersGo() {
        DayCache cache = new DayCache(100);
        for (int m = 0; m < 50; m++) {
            DayCache.MeterDays days = cache.current("m-" + m, V1);
            days.addWeight(9);
            cache.grown("m-" + m, days);
        }
        assertThat(cache.weightHeld()).isBetween(1L, 100L);
    }

    @Test
    void weight_ofADayWithItsHours_isTwo_withItsQuarters_five_withoutData_one() {
        assertThat(DayCache.weight(Optional.empty())).isEqualTo(1);
        DaySummary hours = day(24, 0);
        DaySummary quarters = day(0, 96);
        assertThat(DayCache.weight(Optional.of(hours))).isEqualTo(2);
        assertThat(DayCache.weight(Optional.of(quarters))).isEqualTo(5);
    }

    static DaySummary day(int hours, int quarters) {
        var span = new dev.ims.store.SpanSummary(java.time.Instant.EPOCH, 1, 2, null, null, java.util.Map.of());
        return new DaySummary("m-1", LocalDate.parse("2026-02-01"), 1, 2, null, null, null, null, java.util.Map.of(),
                java.util.Collections.nCopies(hours, span), java.util.Collections.nCopies(quarters, span), java.util.Map.of());
    }
}
