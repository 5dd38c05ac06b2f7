package dev.ims.portal.advice;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The median of the fleet but the meter asking, from one snapshot of every meter's mean daily units. */
class FleetMedianTest {

    static FleetMedian.Snapshot snapshot(Map<String, Double> perDay) {
        double[] sorted = perDay.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new FleetMedian.Snapshot(LocalDate.parse("2026-02-11"), 0, perDay, sorted);
    }

    @Test
    void medianWithout_leavesTheAskingMeterOut() {
        FleetMedian.Snapshot s = snapshot(Map.of("a", 1.0, "b", 2.0, "c", 3.0, "d", 10.0));
        assertThat(s.medianWithout("d")).containsExactly(2.0, 3.0); // 1, 2, 3
        assertThat(s.medianWithout("b")).containsExactly(3.0, 3.0); // 1, 3, 10
        assertThat(s.medianWithout("a")).containsExactly(3.0, 3.0); // 2, 3, 10
    }

    @Test
    void medianWithout_aMeterOutsideTheFleet_isTheWholeFleetsMedian() {
        FleetMedian.Snapshot s = snapshot(Map.of("a", 1.0, "b", 2.0, "c", 3.0, "d", 10.0));
        assertThat(s.medianWithout("new")).containsExactly(2.5, 4.0);
    }

    @Test
    void medianWithout_equalValues_leavesOneOut() {
        FleetMedian.Snapshot s = snapshot(Map.of("a", 4.0, "b", 4.0, "c", 7.0));
        assertThat(s.medianWithout("a")).containsExactly(5.5, 2.0); // 4, 7
        assertThat(s.medianWithout("c")).containsExactly(4.0, 2.0); // 4, 4
    }

    @Test
    void medianWithout_theOnlyMeter_isNone() {
        assertThat(snapshot(Map.of("a", 4.0)).medianWithout("a")).isNull();
        assertThat(snapshot(Map.of()).medianWithout("a")).isNull();
    }
}
