package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.bridge.SourceWatch.Verdict;
import dev.ims.model.status.SourceHealth;
import dev.ims.model.status.SourceHealth.SourceState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceWatchTest {

    private static final Instant T0 = Instant.parse("2026-11-29T22:00:00Z");

    /** A source whose last data the test sets. */
    static final class Quiet implements EnergySource {
        volatile Instant last;
        Map<String, Long> counters = Map.of();

        @Override
        public Measurement measure(Instant now, double lastKwh, Instant lastTs) {
            return null;
        }

        @Override
        public Instant lastData() {
            return last;
        }

        @Override
        public Map<String, Long> counters() {
            return counters;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void silenceIsOneChange_dataBackIsAnother_andALongSilenceAsksToExit() {
        Quiet source = new Quiet();
        source.last = T0;
        SourceWatch watch = new SourceWatch(source, new SourceWatch.Limits(Duration.ofSeconds(60), Duration.ofMinutes(10)), Map::of);
        assertThat(watch.check(T0.plusSeconds(59))).isEqualTo(Verdict.SAME);
        assertThat(watch.state()).isEqualTo(SourceState.OK);
        assertThat(watch.check(T0.plusSeconds(60))).isEqualTo(Verdict.CHANGED);
        assertThat(watch.state()).isEqualTo(SourceState.SILENT);
        assertThat(watch.check(T0.plusSeconds(300))).as("still silent: no new change").isEqualTo(Verdict.SAME);
        source.last = T0.plusSeconds(301);
        assertThat(watch.check(T0.plusSeconds(302))).isEqualTo(Verdict.CHANGED);
        assertThat(watch.state()).isEqualTo(SourceState.OK);
        assertThat(watch.check(T0.plusSeconds(301 + 599))).isEqualTo(Verdict.CHANGED);
        assertThat(watch.check(T0.plusSeconds(301 + 600))).isEqualTo(Verdict.EXIT);
    }

    @Test
    void aSourceThatCannotTell_isNeverSilent_andZeroNeverExits() {
        Quiet s0 = new Quiet();
        SourceWatch watch = new SourceWatch(s0, new SourceWatch.Limits(Duration.ofSeconds(1), Duration.ofSeconds(2)), Map::of);
        assertThat(watch.check(T0.plus(Duration.ofDays(3)))).isEqualTo(Verdict.SAME);
        assertThat(watch.state()).isEqualTo(SourceState.OK);

        Quiet p1 = new Quiet();
        p1.last = T0;
        SourceWatch never = new SourceWatch(p1, new SourceWatch.Limits(Duration.ofSeconds(1), Duration.ZERO), Map::of);
        assertThat(never.check(T0.plusSeconds(5))).isEqualTo(Verdict.CHANGED);
        assertThat(never.check(T0.plus(Duration.ofDays(30)))).isEqualTo(Verdict.SAME);
    }

    @Test
    void theReportCarriesTheBridgesAndTheSourcesCounters_withinTheContractsLimits() {
        Quiet source = new Quiet();
        source.last = T0;
        Map<String, Long> many = new LinkedHashMap<>();
        many.put("Bad Name", 5L);
        many.put("telegrams.valid", 7L);
        many.put("bridge.readings", 999L); // the bridge's own wins over a source's counter of the same name
        for (int i = 0; i < 40; i++) {
            many.put("extra." + i, (long) i);
        }
        source.counters = many;
        SourceWatch watch = new SourceWatch(source, new SourceWatch.Limits(Duration.ofSeconds(60), Duration.ZERO), () -> Map.of("bridge.readings", 3L));
        watch.check(T0.plusSeconds(61));
        SourceHealth report = watch.report(T0.plusSeconds(61));
        assertThat(report.state()).isEqualTo(SourceState.SILENT);
        assertThat(report.lastData()).isEqualTo(T0);
        assertThat(report.at()).isEqualTo(T0.plusSeconds(61));
        assertThat(report.counters()).hasSize(SourceHealth.MAX_COUNTERS).containsEntry("bridge.readings", 3L).containsEntry("telegrams.valid", 7L)
                .doesNotContainKey("Bad Name");
    }

    @Test
    void anExitTimeShorterThanTheSilenceTimeIsRefused() {
        assertThatThrownBy(() -> new SourceWatch.Limits(Duration.ofMinutes(5), Duration.ofMinutes(1))).hasMessageContaining("must not be shorter");
        assertThatThrownBy(() -> new SourceWatch.Limits(Duration.ZERO, Duration.ZERO)).hasMessageContaining("positive");
        assertThat(SourceWatch.Limits.forInterval(Duration.ofSeconds(10)).silentAfter()).isEqualTo(Duration.ofMinutes(1));
        assertThat(SourceWatch.Limits.forInterval(Duration.ofMinutes(1)).silentAfter()).isEqualTo(Duration.ofMinutes(3));
    }
}
