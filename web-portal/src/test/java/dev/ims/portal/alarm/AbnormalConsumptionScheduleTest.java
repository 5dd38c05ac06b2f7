package dev.ims.portal.alarm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AbnormalConsumptionScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void tenThousandMeters_areSpreadOverTheSweepsAfterMidnight_noSweepTakingMoreThanItsShare() {
        List<String> meters = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            meters.add("IMS-" + i);
        }
        Duration sweep = Duration.ofSeconds(30);
        AbnormalConsumption c = new AbnormalConsumption(null, BERLIN, sweep);
        int cap = c.perSweep(meters.size());
        assertThat(cap).isEqualTo(56); // 720 sweeps in 6 h: 14 a sweep, 4 times that at most
        Instant midnight = Instant.parse("2026-06-30T22:00:00Z");
        assertThat(c.due(meters, midnight.minusSeconds(1))).hasSize(cap); // still the 30th: the 29th's judgements catch up
        Set<String> seen = new HashSet<>();
        int most = 0;
        for (Instant t = midnight; t.isBefore(midnight.plus(AbnormalConsumption.WINDOW)); t = t.plus(sweep)) {
            List<String> due = c.due(meters, t);
            most = Math.max(most, due.size());
            // What the sweeper does with them: remember them as judged for the day (no store here).
            java.time.LocalDate day = c.day(t);
            due.forEach(m -> c.markJudged(m, day));
            seen.addAll(due);
        }
        assertThat(most).isLessThanOrEqualTo(cap);
        assertThat(seen).hasSize(10_000);
        assertThat(c.due(meters, midnight.plus(Duration.ofHours(7)))).isEmpty();
    }
}
