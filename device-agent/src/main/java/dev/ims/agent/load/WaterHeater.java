package dev.ims.agent.load;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An electric water heater: a 2–3 kW element heating a tank that loses heat steadily and, much more, with the hot water
 * drawn in the morning and in the evening (1.5–3 kWh a day in all, by the household). The thermostat switches the
 * element on when the tank's heat deficit passes {@link #START_DEFICIT_KWH} and off when it is made up — but only while
 * the circuit may draw: with its relay OFF in the evening the deficit grows and the tank heats when the relay is ON
 * again. The load moves; the energy it needs stays the same. The model's state is the deficit, kWh of heat (resistive
 * heating: 1 kWh of electricity each), and whether the element is on.
 */
public final class WaterHeater extends Appliance {

    public static final String ID = "water-heater";
    static final double START_DEFICIT_KWH = 0.5;
    /** Beyond this the tank is cold: nobody draws more hot water from it. */
    static final double MAX_DEFICIT_KWH = 12;
    /** Standing losses through the tank's insulation, kWh per hour. */
    static final double LOSS_KWH_PER_HOUR = 0.025;
    private static final long SALT = 0x3A7E_4EA7_0001L;

    private final double elementW;
    private final double needKwh;
    /** Every day draws the hot water of one fixed day (tests): no per-day variation in amount or time. */
    private final boolean steady;
    private final HeatStore tank = new HeatStore(START_DEFICIT_KWH, MAX_DEFICIT_KWH);

    WaterHeater(java.time.ZoneId zone, long seed) {
        this(zone, seed, false);
    }

    WaterHeater(java.time.ZoneId zone, long seed, boolean steady) {
        super(new CircuitInfo(ID, "Water heater", CircuitKind.WATER_HEATER, false, true), zone, seed);
        SplittableRandom r = fixed(seed, SALT);
        this.elementW = 2000 + 100 * r.nextInt(11);
        this.needKwh = 1.5 + 1.5 * r.nextDouble();
        this.steady = steady;
    }

    /** Whether every day draws the same hot water at the same times ({@link HomeCircuits#steadyWaterHeater}). */
    public boolean steady() {
        return steady;
    }

    public double elementW() {
        return elementW;
    }

    /** The household's mean daily hot-water need, kWh, standing losses included. */
    public double dailyNeedKwh() {
        return needKwh;
    }

    @Override
    double step(Instant t, double hours, boolean allowed) {
        double h = localHour(t);
        double drawn = draws(epochDay(t), h, Math.min(24, h + hours));
        tank.loseBelowMax(LOSS_KWH_PER_HOUR * hours + drawn);
        return tank.run(hours, allowed, elementW);
    }

    /**
     * The heat drawn with hot water between local hours {@code a} and {@code b} of {@code epochDay}, kWh: each day's amount
     * and times drawn from that day's random numbers; a steady heater's from day 0's, whatever the day.
     */
    double draws(long epochDay, double a, double b) {
        SplittableRandom r = day(steady ? 0 : epochDay, SALT);
        double today = (needKwh - LOSS_KWH_PER_HOUR * 24) * (0.8 + 0.4 * r.nextDouble());
        double morningShare = 0.35 + 0.15 * r.nextDouble();
        double mStart = 6.0 + 1.5 * r.nextDouble();
        double mLen = 0.5 + 0.5 * r.nextDouble();
        double eStart = 18.5 + 2.0 * r.nextDouble();
        double eLen = 0.5 + 1.0 * r.nextDouble();
        return today * morningShare * overlap(a, b, mStart, mStart + mLen) / mLen
                + today * (1 - morningShare) * overlap(a, b, eStart, eStart + eLen) / eLen;
    }

    @Override
    public Map<String, Double> model() {
        return map("deficitKwh", tank.deficitKwh(), "heating", tank.on() ? 1 : 0);
    }

    @Override
    public void restore(Map<String, Double> model) {
        tank.restore(get(model, "deficitKwh", 0), get(model, "heating", 0) > 0);
    }
}
