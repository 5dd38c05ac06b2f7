/**
 * What a meter connection needs of a meter, simulated or real ({@link dev.ims.client.meter.MeterDevice}),
 * and what every meter keeps across power cuts: its {@link dev.ims.client.meter.MeterState} and the state
 * file that holds it, saved atomically and durably.
 */
package dev.ims.client.meter;
