/**
 * A real meter behind a Raspberry Pi: counts the meter's S0 pulses into a register, drives and reads
 * back the supply relay through GPIO (Pi4J 2), and publishes readings over MQTT with the device agent's
 * connection and on-disk outbox.
 */
package dev.ims.bridge;
