package dev.ims.client.circuit;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.reading.RelayState;
import java.util.List;

/**
 * A meter with circuits (a simulated home's appliances, the Pi bridge's per-circuit meters and relays): what the meter
 * connection needs to describe them, carry out circuit commands and run schedules. A {@link dev.ims.client.meter.MeterDevice}
 * that also implements this has circuits; the supply relay is never touched through it.
 */
public interface CircuitDevice {

    /** The circuits as the meter describes them in its birth status; empty for none. */
    List<CircuitInfo> circuits();

    /** The circuit's relay as measured now, or null when the circuit has none. */
    RelayState circuitRelay(String circuitId);

    /**
     * Drives the circuit's relay and answers its state measured afterwards. As for the supply relay, the commanded state
     * is saved where the meter resumes from, forced to the disk, before the relay changes. Called on one thread at a time.
     *
     * @throws IllegalArgumentException the circuit is unknown, has no relay, or is critical
     * @throws java.io.UncheckedIOException the state cannot be saved; the relay is then not switched
     */
    RelayState switchCircuit(String circuitId, RelayState wanted);

    /** The schedule (its command ID) the meter now runs for the circuit, reported in its readings; null: none. */
    void scheduleRunning(String circuitId, String scheduleId);
}
