package dev.ims.agent.load;

import dev.ims.model.circuit.CircuitInfo;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated home's appliances on their own circuits, chosen by the meter's seed alone (a meter keeps its appliances
 * for good): every home has a water heater, a fridge and a washing machine; about one in three an EV charger
 * ({@link #EV_ONE_IN}), about one in three a heat pump ({@link #HEAT_PUMP_ONE_IN}), independently. Thread-confined.
 */
public final class HomeCircuits {

    public static final int EV_ONE_IN = 3;
    public static final int HEAT_PUMP_ONE_IN = 3;
    private static final long SALT_EV = 0x3A7E_4EA7_0101L;
    private static final long SALT_HEAT_PUMP = 0x3A7E_4EA7_0102L;

    private final List<Appliance> appliances;

    private HomeCircuits(List<Appliance> appliances) {
        this.appliances = List.copyOf(appliances);
    }

    /** The appliances of the meter with {@code seed}. */
    public static HomeCircuits forMeter(long seed, ZoneId zone) {
        List<Appliance> list = new ArrayList<>();
        list.add(new WaterHeater(zone, seed));
        list.add(new Fridge(zone, seed));
        list.add(new WashingMachine(zone, seed));
        if (Appliance.fixed(seed, SALT_EV).nextInt(EV_ONE_IN) == 0) {
            list.add(new EvCharger(zone, seed));
        }
        if (Appliance.fixed(seed, SALT_HEAT_PUMP).nextInt(HEAT_PUMP_ONE_IN) == 0) {
            list.add(new HeatPump(zone, seed));
        }
        return new HomeCircuits(list);
    }

    /** No circuits (a meter that only measures the whole house). */
    public static HomeCircuits none() {
        return new HomeCircuits(List.of());
    }

    /** Only the given appliances (tests). */
    public static HomeCircuits of(Appliance... appliances) {
        return new HomeCircuits(List.of(appliances));
    }

    /** A water heater alone, for the meter with {@code seed} (tests and demonstrations). */
    public static WaterHeater waterHeater(long seed, ZoneId zone) {
        return new WaterHeater(zone, seed);
    }

    /**
     * A water heater alone whose household draws the same hot water at the same times every day (tests that compare one
     * day's cost with the next: the daily ±20 % variation would hide the change they look for). Otherwise as
     * {@link #waterHeater}.
     */
    public static WaterHeater steadyWaterHeater(long seed, ZoneId zone) {
        return new WaterHeater(zone, seed, true);
    }

    public static Fridge fridge(long seed, ZoneId zone) {
        return new Fridge(zone, seed);
    }

    public static EvCharger evCharger(long seed, ZoneId zone) {
        return new EvCharger(zone, seed);
    }

    public List<Appliance> appliances() {
        return appliances;
    }

    public List<CircuitInfo> infos() {
        return appliances.stream().map(Appliance::info).toList();
    }

    public Appliance get(String id) {
        for (Appliance a : appliances) {
            if (a.info().id().equals(id)) {
                return a;
            }
        }
        return null;
    }
}
