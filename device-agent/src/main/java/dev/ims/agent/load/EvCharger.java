package dev.ims.agent.load;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An electric car's wall box (7.4 or 11 kW): on about one evening in two the car is plugged in between 17:30 and 20:00
 * needing 6–30 kWh, and unplugged at 07:00 the next morning. It charges at full power while plugged in, its need not
 * met and the circuit allowed to draw; with the relay OFF it waits, and resumes when the relay is ON again (a need not
 * met by 07:00 stays unmet: the car leaves). The model's state is the session (its plug-in day) and the energy charged.
 */
public final class EvCharger extends Appliance {

    public static final String ID = "ev-charger";
    private static final long SALT = 0x3A7E_4EA7_0004L;
    static final double UNPLUG_HOUR = 7;

    private final double chargerW;
    private long session = Long.MIN_VALUE;
    private double chargedKwh;

    EvCharger(java.time.ZoneId zone, long seed) {
        super(new CircuitInfo(ID, "EV charger", CircuitKind.EV_CHARGER, false, true), zone, seed);
        this.chargerW = fixed(seed, SALT).nextBoolean() ? 7400 : 11000;
    }

    public double chargerW() {
        return chargerW;
    }

    /** The evening of {@code epochDay}'s session: {plug-in hour, need kWh}, or null when the car is not plugged in that day. */
    double[] sessionOf(long epochDay) {
        SplittableRandom r = day(epochDay, SALT);
        if (r.nextDouble() >= 0.5) {
            return null;
        }
        return new double[] {17.5 + 2.5 * r.nextDouble(), 6 + 24 * r.nextDouble()};
    }

    @Override
    double step(Instant t, double hours, boolean allowed) {
        long today = epochDay(t);
        double h = localHour(t);
        long plugged = Long.MIN_VALUE;
        double need = 0;
        double[] tonight = sessionOf(today);
        double[] lastNight = sessionOf(today - 1);
        if (tonight != null && h >= tonight[0]) {
            plugged = today;
            need = tonight[1];
        } else if (lastNight != null && h < UNPLUG_HOUR) {
            plugged = today - 1;
            need = lastNight[1];
        }
        if (plugged == Long.MIN_VALUE) {
            return 0;
        }
        if (plugged != session) {
            session = plugged;
            chargedKwh = 0;
        }
        if (!allowed || chargedKwh >= need || hours <= 0) {
            return 0;
        }
        double kwh = Math.min(chargerW / 1000.0 * hours, need - chargedKwh);
        chargedKwh += kwh;
        return kwh * 1000 / hours;
    }

    @Override
    public Map<String, Double> model() {
        return session == Long.MIN_VALUE ? Map.of() : map("session", session, "chargedKwh", chargedKwh);
    }

    @Override
    public void restore(Map<String, Double> model) {
        Double s = model == null ? null : model.get("session");
        session = s == null ? Long.MIN_VALUE : s.longValue();
        chargedKwh = Math.max(0, get(model, "chargedKwh", 0));
    }
}
