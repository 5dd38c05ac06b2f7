package dev.ims.agent.load;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An air-source heat pump heating the house: the heat it must deliver follows the outdoor temperature (a mid-latitude
 * year, coldest around mid-January, a daily swing coldest at 05:00) below 15 °C, at a coefficient of performance of 3;
 * it runs at its rated power (1.2–2.4 kW) when the house's heat deficit passes {@link #START_DEFICIT_KWH} kWh of
 * electricity and stops when it is made up. Nothing in summer. Relay OFF: the deficit grows (up to
 * {@link #MAX_DEFICIT_KWH}, beyond which the house simply cools) and is made up later.
 */
public final class HeatPump extends Appliance {

    public static final String ID = "heat-pump";
    static final double START_DEFICIT_KWH = 0.3;
    static final double MAX_DEFICIT_KWH = 8;
    private static final double COP = 3;
    private static final long SALT = 0x3A7E_4EA7_0005L;

    private final double ratedW;
    /** The house's heat loss, kW per K below the balance temperature. */
    private final double lossKwPerK;
    private final HeatStore house = new HeatStore(START_DEFICIT_KWH, MAX_DEFICIT_KWH);

    HeatPump(java.time.ZoneId zone, long seed) {
        super(new CircuitInfo(ID, "Heat pump", CircuitKind.HEAT_PUMP, false, true), zone, seed);
        SplittableRandom r = fixed(seed, SALT);
        this.ratedW = 1200 + 100 * r.nextInt(13);
        this.lossKwPerK = 0.12 + 0.08 * r.nextDouble();
    }

    /** The outdoor temperature at {@code t}, °C. */
    double outdoorC(Instant t) {
        int dayOfYear = t.atZone(zone).getDayOfYear();
        double season = 10 - 9 * Math.cos(2 * Math.PI * (dayOfYear - 15) / 365.25);
        double daily = -3 * Math.cos(2 * Math.PI * (localHour(t) - 5) / 24);
        return season + daily;
    }

    @Override
    double step(Instant t, double hours, boolean allowed) {
        house.lose(Math.max(0, 15 - outdoorC(t)) * lossKwPerK / COP * hours);
        return house.run(hours, allowed, ratedW);
    }

    @Override
    public Map<String, Double> model() {
        return map("deficitKwh", house.deficitKwh(), "running", house.on() ? 1 : 0);
    }

    @Override
    public void restore(Map<String, Double> model) {
        house.restore(get(model, "deficitKwh", 0), get(model, "running", 0) > 0);
    }
}
