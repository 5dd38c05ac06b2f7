/**
 * Circuits behind a meter, as a meter connection drives them: the {@link dev.ims.client.circuit.CircuitDevice} a meter
 * with circuits implements, and the {@link dev.ims.client.circuit.ScheduleRunner} that carries out their schedules on
 * the meter (persisted beside its state file, so they run with the network down and across restarts).
 */
package dev.ims.client.circuit;
