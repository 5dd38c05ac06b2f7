package dev.ims.portal.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetLoadTest {

    static final Instant T = Instant.parse("2026-11-30T10:00:00Z");

    @Test
    void aPoint_isTheMeanOfItsQuarterHoursSamples() {
        List<FleetLoad.Sample> in = List.of(new FleetLoad.Sample(T, 1000, 2), new FleetLoad.Sample(T.plusSeconds(60), 3000, 4),
                new FleetLoad.Sample(T.plus(Duration.ofMinutes(14)), 2000, 3), new FleetLoad.Sample(T.plus(Duration.ofMinutes(15)), 500, 1));
        List<FleetLoad.Point> points = FleetLoad.quarters(in, T.minus(Duration.ofHours(1)), T.plus(Duration.ofHours(1)));
        assertThat(points).containsExactly(new FleetLoad.Point(T, 2000, 3, 3), new FleetLoad.Point(T.plus(Duration.ofMinutes(15)), 500, 1, 1));
    }

    @Test
    void quartersWithoutSamples_andSamplesOutsideTheSpan_areLeftOut() {
        List<FleetLoad.Sample> in = List.of(new FleetLoad.Sample(T, 1000, 2), new FleetLoad.Sample(T.plus(Duration.ofHours(1)), 3000, 4),
                new FleetLoad.Sample(T.minus(Duration.ofDays(2)), 9999, 9));
        assertThat(FleetLoad.quarters(in, T.minus(Duration.ofHours(24)), T.plus(Duration.ofHours(2))))
                .extracting(FleetLoad.Point::start).containsExactly(T, T.plus(Duration.ofHours(1)));
    }

    @Test
    void aDay_has96QuarterStarts_endingWithTheCurrentQuarter() {
        Instant now = T.plus(Duration.ofMinutes(7));
        List<Instant> starts = FleetLoad.quarterStarts(now, Duration.ofHours(24));
        assertThat(starts).hasSize(96).last().isEqualTo(T);
        assertThat(starts.get(0)).isEqualTo(T.minus(Duration.ofHours(24)).plus(Duration.ofMinutes(15)));
    }
}
