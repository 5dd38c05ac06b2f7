package dev.ims.agent.load;

import dev.ims.model.circuit.CircuitInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated appliance on its own circuit: how much it draws over time, given whether it may (its relay ON and the
 * supply relay ON). Deferrable appliances (water heater, heat pump, EV charger) keep a need that builds up while they
 * may not run and is met once they may again, so switching them moves their load rather than removing it.
 *
 * <p>Random choices (which days, at what times, how much) are functions of the meter's seed and the local day, never of
 * a random stream: the same meter behaves the same in its history backfill, live and after a restart. What depends on
 * the past (a tank's heat deficit, an EV's charge so far) is the appliance's {@link #model() model state}, kept in the
 * meter's state file. Thread-confined: one instance per meter.
 */
public abstract sealed class Appliance permits WaterHeater, Fridge, WashingMachine, EvCharger, HeatPump {

    /** The longest step the models are integrated over: thermostats switch at a minute's resolution at most. */
    static final Duration STEP = Duration.ofSeconds(60);

    private final CircuitInfo info;
    final ZoneId zone;
    final long seed;
    /** The power drawn in the last step, W. */
    private double powerW;

    Appliance(CircuitInfo info, ZoneId zone, long seed) {
        this.info = info;
        this.zone = zone;
        this.seed = seed;
    }

    public CircuitInfo info() {
        return info;
    }

    /** The power drawn at the end of the last {@link #advance}, W (0 before the first). */
    public double powerW() {
        return powerW;
    }

    /**
     * Runs the appliance from {@code from} to {@code to} in steps of at most {@link #STEP}.
     *
     * @param allowed whether it may draw power (its relay and the supply relay ON)
     * @return the energy drawn, kWh (≥ 0)
     */
    public final double advance(Instant from, Instant to, boolean allowed) {
        double kwh = 0;
        Instant t = from;
        while (t.isBefore(to)) {
            Instant next = t.plus(STEP).isBefore(to) ? t.plus(STEP) : to;
            double hours = Duration.between(t, next).toMillis() / 3_600_000.0;
            double w = step(t, hours, allowed);
            powerW = w;
            kwh += w * hours / 1000.0;
            t = next;
        }
        if (!allowed) {
            powerW = 0;
        }
        return kwh;
    }

    /** One step of {@code hours} starting at {@code t}: updates the model state and answers the mean power drawn, W. */
    abstract double step(Instant t, double hours, boolean allowed);

    /** The model state to keep across restarts, by name. */
    public abstract Map<String, Double> model();

    /** Resumes from a model state {@link #model()} gave (missing names: their initial values). */
    public abstract void restore(Map<String, Double> model);

    // ---- helpers for the models

    /** Random numbers for one local day of this appliance, from the seed alone. */
    SplittableRandom day(long epochDay, long salt) {
        return new SplittableRandom(seed ^ salt ^ (epochDay * 0x9E3779B97F4A7C15L));
    }

    /** Random numbers fixed for this appliance for good (its size, its habits). */
    static SplittableRandom fixed(long seed, long salt) {
        return new SplittableRandom(seed ^ salt);
    }

    /** The local wall-clock hour of {@code t} as a fraction (7.5 = 07:30). */
    double localHour(Instant t) {
        ZonedDateTime z = t.atZone(zone);
        return z.getHour() + z.getMinute() / 60.0 + z.getSecond() / 3600.0;
    }

    long epochDay(Instant t) {
        return t.atZone(zone).toLocalDate().toEpochDay();
    }

    static Map<String, Double> map(Object... nameValue) {
        Map<String, Double> m = new HashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], ((Number) nameValue[i + 1]).doubleValue());
        }
        return m;
    }

    static double get(Map<String, Double> model, String name, double otherwise) {
        Double v = model == null ? null : model.get(name);
        return v == null || !Double.isFinite(v) ? otherwise : v;
    }

    /** How many hours of [a, b) lie inside [lo, hi). */
    static double overlap(double a, double b, double lo, double hi) {
        return Math.max(0, Math.min(b, hi) - Math.max(a, lo));
    }
}
