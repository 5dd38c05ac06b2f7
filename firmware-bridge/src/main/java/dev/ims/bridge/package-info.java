/**
 * A real meter behind a Raspberry Pi: counts the meter's S0 pulses into a register, drives and reads
 * back the supply relay through GPIO (Pi4J 2), and publishes readings over MQTT with the connection,
 * on-disk outbox and relay command rules it shares with the simulated meters (module meter-client).
 */
package dev.ims.bridge;
