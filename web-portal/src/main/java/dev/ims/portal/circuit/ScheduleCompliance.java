package dev.ims.portal.circuit;

import dev.ims.model.circuit.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Whether a circuit followed its schedule on a local day, judged from the circuit's hourly register (pure): the energy
 * it used in hours entirely outside the schedule's windows must stay within {@link #TOLERANCE_KWH}, and, with a cap, the
 * hours in which it used more than that must not outnumber {@code maxHoursPerDay}.
 */
public final class ScheduleCompliance {

    /** Energy that counts as nothing: measurement noise, a relay's standby, an hour's edge. */
    public static final double TOLERANCE_KWH = 0.05;

    /**
     * One local hour of the circuit's register, from the hourly rollup {@code circuits.<id>.minKwh/maxKwh}.
     *
     * @param kwh the energy used in the hour (next hour's lowest register minus this hour's, or this hour's range)
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
     * The energy of each hour from the rollups' registers: hour i used {@code min[i+1] - min[i]} when hour i+1 follows
     * directly (its lowest register is where hour i ended), else {@code max[i] - min[i]}.
     *
     * @param starts the hours' starts in order; {@code min}/{@code max} their registers (same order)
     */
    public static List<HourUse> uses(List<Instant> starts, List<Double> min, List<Double> max) {
        java.util.ArrayList<HourUse> out = new java.util.ArrayList<>();
        for (int i = 0; i < starts.size(); i++) {
            boolean next = i + 1 < starts.size() && starts.get(i + 1).equals(starts.get(i).plus(Duration.ofHours(1)));
            double kwh = next ? min.get(i + 1) - min.get(i) : max.get(i) - min.get(i);
            out.add(new HourUse(starts.get(i), Math.max(0, kwh)));
        }
        return out;
    }
}
