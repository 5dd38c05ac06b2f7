package dev.ims.client.circuit;

import dev.ims.model.reading.RelayState;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a meter keeps of one circuit across power cuts, in its state file.
 *
 * @param relay the circuit's relay as last commanded (ON for a circuit without one)
 * @param energyKwh the circuit's register at the meter's last reading; never decreases
 * @param model what a simulated appliance needs to resume where it was (a water heater's heat deficit, an EV's energy
 *     charged in the current session …), by name; empty for real circuits. Never null.
 */
public record CircuitState(RelayState relay, double energyKwh, Map<String, Double> model) {

    public CircuitState {
        relay = relay == null ? RelayState.ON : relay;
        model = model == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(model));
    }

    /** A new circuit: relay ON, register 0. */
    public static CircuitState fresh() {
        return new CircuitState(RelayState.ON, 0, Map.of());
    }

    public CircuitState withRelay(RelayState wanted) {
        return new CircuitState(wanted, energyKwh, model);
    }
}
