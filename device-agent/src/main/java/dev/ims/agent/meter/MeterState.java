package dev.ims.agent.meter;

import dev.ims.model.reading.RelayState;
import java.time.Instant;

/**
 * What a meter keeps across power cuts, in its state file.
 *
 * @param meterId the meter's ID
 * @param claimCode the secret shown on the meter's console/label, with which a consumer claims it; never
 *     sent over MQTT
 * @param nextSeq the seq of the next reading
 * @param energyKwh the register at {@code lastTs}
 * @param lastTs when the register was last read, or null before the first reading
 * @param relay the supply relay
 * @param baseLoadW the household's always-on load (the meter's character)
 * @param seed seeds the meter's randomness
 */
public record MeterState(
        String meterId,
        String claimCode,
        long nextSeq,
        double energyKwh,
        Instant lastTs,
        RelayState relay,
        double baseLoadW,
        long seed) {}
