package dev.ims.agent.load;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A washing machine on a circuit without a relay: on about three days in seven it runs one 105-minute programme
 * starting between 08:00 and 19:00 — 20 minutes heating water at 2 kW, 70 minutes washing at 150 W, 15 minutes spinning
 * at 450 W (about 0.95 kWh). A function of the time alone: it keeps no state.
 */
public final class WashingMachine extends Appliance {

    public static final String ID = "washing-machine";
    private static final long SALT = 0x3A7E_4EA7_0003L;
    private static final double[][] PROGRAMME = {{20 / 60.0, 2000}, {70 / 60.0, 150}, {15 / 60.0, 450}};

    WashingMachine(java.time.ZoneId zone, long seed) {
        super(new CircuitInfo(ID, "Washing machine", CircuitKind.WASHING_MACHINE, false, false), zone, seed);
    }

    @Override
    double step(Instant t, double hours, boolean allowed) {
        if (!allowed || hours <= 0) {
            return 0;
        }
        SplittableRandom r = day(epochDay(t), SALT);
        if (r.nextDouble() >= 3 / 7.0) {
            return 0;
        }
        double start = 8 + 11 * r.nextDouble();
        double a = localHour(t);
        double b = Math.min(24, a + hours);
        double wh = 0;
        double phase = start;
        for (double[] p : PROGRAMME) {
            wh += overlap(a, b, phase, phase + p[0]) * p[1];
            phase += p[0];
        }
        return wh / hours;
    }

    @Override
    public Map<String, Double> model() {
        return Map.of();
    }

    @Override
    public void restore(Map<String, Double> model) {
        // nothing to resume: a function of the time
    }
}
