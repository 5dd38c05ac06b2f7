package dev.ims.portal.circuit;

import dev.ims.model.circuit.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import dev.ims.portal.tariff.HourUsage;

/**
 * Whether a circuit followed its schedule on a local day, judged from the circuit's hourly register (pure): the energy
 * it used in hours entirely outside the schedule's windows must stay within {@link #TOLERANCE_KWH}, and, with a cap, the
 * hours in which it used more than that must not outnumber {@code maxHoursPerDay}.
 */
public final class ScheduleCompliance {

    /** Energy that counts as nothing: measurement noise, a relay's standby, an hour's edge. */
    public static final double TOLERANCE_KWH = 0.05;

    /**
     * One local hour of the circuit's use.
     *
     * @param kwh the energy used in the hour: its highest register minus the highest one before it (its own range for
     *     the first hour known), as every hourly figure of the portal counts it
     */
    public record HourUse(Instant start, double kwh) {}

    /**
     * @param kwhOutside energy used in hours outside every window, kWh
     * @param onHours hours in which more than the tolerance was used
     * @param cap the schedule's maxHoursPerDay, or null
     * @param hoursSeen how many hours of the day had data (a day with none is not judged: {@code followed} is null)
     */
    public record Verdict(LocalDate day, Boolean followed, double kwhOutside, int onHours, Integer cap, int hoursSeen) {}

    private ScheduleCompliance() {}

    public static Verdict judge(Schedule schedule, LocalDate day, List<HourUse> hours) {
        double outside = 0;
        int on = 0;
        for (HourUse h : hours) {
            if (h.kwh() > TOLERANCE_KWH) {
                on++;
            }
            if (!touchesWindow(schedule, h.start())) {
                outside += Math.max(0, h.kwh());
            }
        }
        outside = Math.round(outside * 1000) / 1000.0;
        if (hours.isEmpty()) {
            return new Verdict(day, null, 0, 0, schedule.maxHoursPerDay(), 0);
        }
        boolean followed = outside <= TOLERANCE_KWH && (schedule.maxHoursPerDay() == null || on <= schedule.maxHoursPerDay());
        return new Verdict(day, followed, outside, on, schedule.maxHoursPerDay(), hours.size());
    }

    /** Whether any minute of the hour starting at {@code start} lies in a window. */
    static boolean touchesWindow(Schedule s, Instant start) {
        for (int m = 0; m < 60; m++) {
            if (s.inWindow(start.plus(Duration.ofMinutes(m)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The circuit's hours that start in {@code from..to} (excluded) as uses: its hourly units as every other hourly
     * figure counts them ({@link CircuitService#hours}).
     */
    public static List<HourUse> uses(List<HourUsage> circuitHours, Instant from, Instant to) {
        List<HourUse> out = new ArrayList<>();
        for (HourUsage h : circuitHours) {
            if (!h.start().isBefore(from) && h.start().isBefore(to)) {
                out.add(new HourUse(h.start(), h.kwh()));
            }
        }
        return out;
    }
}
