package dev.ims.bridge;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;

/**
 * One circuit of the bridge as {@code --circuits} describes it ({@link CircuitsFile}): what it is, how it is measured,
 * and the GPIO relay that switches it, if any.
 *
 * @param relay its relay, or null for a circuit the bridge only measures
 */
public record CircuitSpec(String id, String name, CircuitKind kind, boolean critical, Measure measure, Relay relay) {

    /** How a circuit is measured. */
    public sealed interface Measure permits Modbus, S0 {}

    /**
     * A meter of its own (PZEM-004T, SDM120 …) at unit address {@code unit} on the Modbus line: the main meter's RS485
     * bus, or {@code --circuits-modbus-device}.
     */
    public record Modbus(int unit, ModbusRegisterMap map) implements Measure {}

    /** The S0 output of a meter of its own on a GPIO input. */
    public record S0(int pin, int pulsesPerKwh, boolean activeLow) implements Measure {}

    /**
     * The circuit's relay on a GPIO output.
     *
     * @param activeLow the circuit is ON when the output is LOW
     * @param feedbackPin the input reading the circuit's real state (HIGH = ON), or -1 for none
     */
    public record Relay(int pin, boolean activeLow, int feedbackPin) {}

    /** As the meter describes it in its birth status. */
    public CircuitInfo info() {
        return new CircuitInfo(id, name, kind, critical, relay != null);
    }
}
