package dev.ims.bridge;

import java.time.Instant;

/** Where the bridge's measurements come from: S0 pulses counted on a GPIO, or the meter's own P1 port. */
public interface EnergySource extends AutoCloseable {

    /** What a reading carries besides its identity; power, voltage and current may be unknown. */
    record Measurement(double energyKwh, Double powerW, Double voltageV, Double currentA) {}

    /**
     * The measurement for a reading taken now; called once per reading.
     *
     * @param lastKwh the register at the previous reading (S0 counts on from it)
     * @param lastTs the previous reading's time, or null
     * @return null when there is nothing to report yet (no valid telegram)
     */
    Measurement measure(Instant now, double lastKwh, Instant lastTs);

    @Override
    void close();
}
