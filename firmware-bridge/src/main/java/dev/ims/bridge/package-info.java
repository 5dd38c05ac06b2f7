/**
 * A real meter behind a Raspberry Pi: counts the meter's S0 pulses into a register, or reads the meter's
 * own registers from its P1 port (DSMR, e-MUCS, Smarty; {@link dev.ims.bridge.P1Source} through
 * {@link dev.ims.bridge.P1Port}) or over Modbus TCP or RTU ({@link dev.ims.bridge.ModbusSource}), watches that the
 * meter keeps giving data ({@link dev.ims.bridge.SourceWatch}), drives and reads back the supply relay through GPIO (Pi4J 2),
 * measures and switches the meter's circuits ({@code --circuits}, {@link dev.ims.bridge.CircuitsFile}: per-circuit meters on
 * the same RS485 bus through one {@link dev.ims.bridge.ModbusBus}, or S0 inputs, and a fail-safe GPIO relay each), and
 * publishes readings over MQTT with the connection, on-disk outbox and relay command rules it shares with
 * the simulated meters (module meter-client); optionally mirrors them to a household's own broker for Home Assistant
 * ({@code --ha-mqtt-url}, package {@code dev.ims.bridge.homeassistant}).
 */
package dev.ims.bridge;
