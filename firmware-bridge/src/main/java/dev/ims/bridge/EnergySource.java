package dev.ims.bridge;

import java.time.Instant;
import java.util.Map;

/** Where the bridge's measurements come from: S0 pulses counted on a GPIO, or the meter's own P1 port. */
public interface EnergySource extends AutoCloseable {

    /**
     * What a reading carries besides its identity; power, voltage and current may be unknown, and so may the
     * export register and power (a meter that does not export, or a source that cannot tell: S0 pulses count
     * import only).
     *
     * @param exportKwh the meter's export register (energy fed into the grid) in kWh, or null
     * @param exportPowerW the power fed into the grid now in W (0 or more), or null
     */
    record Measurement(double energyKwh, Double powerW, Double voltageV, Double currentA, Double exportKwh, Double exportPowerW) {

        /** A measurement without export. */
        public Measurement(double energyKwh, Double powerW, Double voltageV, Double currentA) {
            this(energyKwh, powerW, voltageV, currentA, null, null);
        }
    }

    /**
     * The measurement for a reading taken now; called once per reading.
     *
     * @param lastKwh the register at the previous reading (S0 counts on from it)
     * @param lastTs the previous reading's time, or null
     * @return null when there is nothing to report yet (no valid telegram)
     */
    Measurement measure(Instant now, double lastKwh, Instant lastTs);

    /**
     * When the source last yielded valid data (a telegram whose checks passed, a register read), or when it was
     * opened if it never has; null for a source whose silence means nothing (S0: no pulse is no consumption).
     * The bridge reports a source silent, and exits after {@code --exit-after-silence}, from this.
     */
    default Instant lastData() {
        return null;
    }

    /**
     * The source's counters for the status message and the local metrics endpoint: names in lower case with
     * dots ({@code telegrams.valid}, {@code rejected.crc}, {@code port.reopened} …), values that only grow
     * while the bridge runs. Empty when the source counts nothing.
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    @Override
    void close();
}
