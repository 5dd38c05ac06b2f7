package dev.ims.bridge;

import java.time.Duration;
import java.time.Instant;

/**
 * The register from S0 pulses: the previous reading's register plus the pulses counted since, divided by
 * the meter's constant; power is the average over the interval. Pulses arriving while the bridge is
 * stopped are not seen.
 */
public final class S0Source implements EnergySource {

    private final S0Counter counter;
    private final int pulsesPerKwh;
    private long pulsesAtLastReading;

    public S0Source(S0Counter counter, int pulsesPerKwh) {
        if (pulsesPerKwh <= 0) {
            throw new IllegalArgumentException("pulses per kWh must be positive");
        }
        this.counter = counter;
        this.pulsesPerKwh = pulsesPerKwh;
        this.pulsesAtLastReading = counter.pulses();
    }

    @Override
    public synchronized Measurement measure(Instant now, double lastKwh, Instant lastTs) {
        long pulses = counter.pulses();
        long delta = pulses - pulsesAtLastReading;
        pulsesAtLastReading = pulses;
        double kwh = Math.round((lastKwh + delta / (double) pulsesPerKwh) * 10_000) / 10_000.0;
        Double powerW = null;
        if (lastTs != null && now.isAfter(lastTs)) {
            double seconds = Duration.between(lastTs, now).toNanos() / 1e9;
            powerW = Math.round(delta * 3_600_000.0 / pulsesPerKwh / seconds * 10) / 10.0;
        }
        return new Measurement(kwh, powerW, null, null);
    }

    @Override
    public void close() {
        counter.close();
    }

    @Override
    public String toString() {
        return "S0 pulses on " + counter + " (" + pulsesPerKwh + "/kWh)";
    }
}
