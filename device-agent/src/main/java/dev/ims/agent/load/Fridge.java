package dev.ims.agent.load;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A fridge: a 100–150 W compressor cycling on a thermostat (on at {@link #ON_AT_C} °C, off at {@link #OFF_AT_C} °C;
 * warming about 0.06 °C a minute, cooling 0.12: a third of the time on, about 1 kWh a day). Critical: it is never
 * switched remotely; with the supply relay OFF it warms. The model's state is the temperature and the compressor.
 */
public final class Fridge extends Appliance {

    public static final String ID = "fridge";
    static final double ON_AT_C = 5.0;
    static final double OFF_AT_C = 3.0;
    private static final double WARMING_C_PER_HOUR = 3.6;
    private static final double COOLING_C_PER_HOUR = 7.2;
    private static final double ROOM_C = 20;
    private static final long SALT = 0x3A7E_4EA7_0002L;

    private final double compressorW;
    private double temperatureC = 4.0;
    private boolean running;

    Fridge(java.time.ZoneId zone, long seed) {
        super(new CircuitInfo(ID, "Fridge", CircuitKind.FRIDGE, true, true), zone, seed);
        SplittableRandom r = fixed(seed, SALT);
        this.compressorW = 100 + 5 * r.nextInt(11);
        this.temperatureC = OFF_AT_C + (ON_AT_C - OFF_AT_C) * r.nextDouble();
    }

    public double compressorW() {
        return compressorW;
    }

    @Override
    double step(Instant t, double hours, boolean allowed) {
        if (!allowed) {
            running = false;
        } else if (!running && temperatureC >= ON_AT_C) {
            running = true;
        } else if (running && temperatureC <= OFF_AT_C) {
            running = false;
        }
        temperatureC = Math.min(ROOM_C, temperatureC + (running ? -COOLING_C_PER_HOUR : WARMING_C_PER_HOUR) * hours);
        return running ? compressorW : 0;
    }

    @Override
    public Map<String, Double> model() {
        return map("temperatureC", temperatureC, "running", running ? 1 : 0);
    }

    @Override
    public void restore(Map<String, Double> model) {
        temperatureC = Math.max(-5, Math.min(ROOM_C, get(model, "temperatureC", temperatureC)));
        running = get(model, "running", 0) > 0;
    }
}
