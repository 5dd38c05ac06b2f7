package dev.ims.portal.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.circuit.Schedule;
import java.time.Duration;
import java.time.Instant;
import dev.ims.portal.tariff.HourUsage;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleComplianceTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final LocalDate DAY = LocalDate.of(2026, 11, 29);

    static Schedule night(Integer cap) {
        return new Schedule(BERLIN, List.of(Schedule.Window.of("00:00", "06:00")), cap);
    }

    /** The day's 24 hours with {@code kwh[h]} used in local hour h. */
    static List<ScheduleCompliance.HourUse> day(double... kwh) {
        Instant start = DAY.atStartOfDay(BERLIN).toInstant();
        List<ScheduleCompliance.HourUse> out = new ArrayList<>();
        for (int h = 0; h < kwh.length; h++) {
            out.add(new ScheduleCompliance.HourUse(start.plus(Duration.ofHours(h)), kwh[h]));
        }
        return out;
    }

    @Test
    void useOnlyInsideTheWindows_isFollowed() {
        double[] kwh = new double[24];
        kwh[1] = 2.4;
        kwh[2] = 1.1;
        ScheduleCompliance.Verdict v = ScheduleCompliance.judge(night(null), DAY, day(kwh));
        assertThat(v.followed()).isTrue();
        assertThat(v.kwhOutside()).isZero();
        assertThat(v.onHours()).isEqualTo(2);
    }

    @Test
    void useOutsideBeyondTheTolerance_isNotFollowed_andTheEnergyIsShown() {
        double[] kwh = new double[24];
        kwh[1] = 2.4;
        kwh[19] = 1.25;
        kwh[20] = 0.04; // within the tolerance on its own, but it adds up
        ScheduleCompliance.Verdict v = ScheduleCompliance.judge(night(null), DAY, day(kwh));
        assertThat(v.followed()).isFalse();
        assertThat(v.kwhOutside()).isEqualTo(1.29);
    }

    @Test
    void standbyUseOutside_withinTheTolerance_isStillFollowed() {
        double[] kwh = new double[24];
        kwh[12] = 0.03;
        kwh[18] = 0.02;
        assertThat(ScheduleCompliance.judge(night(null), DAY, day(kwh)).followed()).isTrue();
    }

    @Test
    void moreOnHoursThanTheCap_isNotFollowed() {
        double[] kwh = new double[24];
        kwh[0] = 2;
        kwh[1] = 2;
        kwh[2] = 2;
        assertThat(ScheduleCompliance.judge(night(3), DAY, day(kwh)).followed()).isTrue();
        assertThat(ScheduleCompliance.judge(night(2), DAY, day(kwh)).followed()).isFalse();
    }

    @Test
    void dayWithoutData_isNotJudged() {
        assertThat(ScheduleCompliance.judge(night(null), DAY, List.of()).followed()).isNull();
    }

    @Test
    void uses_areTheCircuitsHoursThatStartInTheDay_withTheirUnits() {
        Instant h0 = DAY.atStartOfDay(BERLIN).toInstant();
        Instant next = DAY.plusDays(1).atStartOfDay(BERLIN).toInstant();
        List<HourUsage> hours = List.of(new HourUsage(h0.minusSeconds(3600), DAY.minusDays(1), 23, 5),
                new HourUsage(h0, DAY, 0, 2.0), new HourUsage(h0.plusSeconds(3 * 3600), DAY, 3, 0.4), new HourUsage(next, DAY.plusDays(1), 0, 7));
        assertThat(ScheduleCompliance.uses(hours, h0, next)).containsExactly(new ScheduleCompliance.HourUse(h0, 2.0),
                new ScheduleCompliance.HourUse(h0.plusSeconds(3 * 3600), 0.4));
    }
}
