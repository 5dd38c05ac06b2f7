package dev.ims.agent.load;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Random;

/**
 * A household's active power over time: an always-on base load, morning and evening peaks, more use
 * on weekend days and in winter, and appliances (kettle, oven, washing machine) switched on at random,
 * more likely at the times people are at home and awake. Thread-confined: one model per meter.
 */
public final class LoadModel {

    private final double baseLoadW;
    private final ZoneId zone;
    private final Random random;

    public LoadModel(double baseLoadW, ZoneId zone, Random random) {
        this.baseLoadW = baseLoadW;
        this.zone = zone;
        this.random = random;
    }

    public double baseLoadW() {
        return baseLoadW;
    }

    /** The expected (mean) power at {@code t} without random appliances, in W. */
    public double meanPowerW(Instant t) {
        ZonedDateTime local = t.atZone(zone);
        double hour = local.getHour() + local.getMinute() / 60.0;
        boolean weekend = local.getDayOfWeek() == DayOfWeek.SATURDAY || local.getDayOfWeek() == DayOfWeek.SUNDAY;
        double shape = bump(hour, weekend ? 9.0 : 7.3, 1.2) * 500 // breakfast
                + bump(hour, 19.5, 2.2) * 900 // evening: cooking, lights, TV
                + bump(hour, 13.0, 3.0) * (weekend ? 450 : 120); // daytime at home
        double season = 1 + 0.3 * Math.cos(2 * Math.PI * (local.getDayOfYear() - 15) / 365.25);
        return baseLoadW + shape * season;
    }

    /** One sample of the power at {@code t}: the mean with noise and, sometimes, an appliance running. */
    public double samplePowerW(Instant t) {
        double mean = meanPowerW(t);
        double p = 0.02 + 0.18 * (mean - baseLoadW) / 1000.0;
        double appliance = random.nextDouble() < p ? APPLIANCES_W[random.nextInt(APPLIANCES_W.length)] : 0;
        double noisy = mean * (0.85 + 0.3 * random.nextDouble()) + appliance;
        return Math.round(noisy * 10) / 10.0;
    }

    private static final double[] APPLIANCES_W = {2200, 1800, 2000, 900, 1200, 3000};

    private static double bump(double hour, double center, double width) {
        double d = (hour - center) / width;
        return Math.exp(-d * d);
    }
}
