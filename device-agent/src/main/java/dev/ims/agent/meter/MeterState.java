package dev.ims.agent.meter;

import dev.ims.model.reading.RelayState;
import java.time.Instant;

/**
 * What a meter keeps across power cuts, in its state file.
 *
 * @param meterId the meter's ID
 * @param claimCode the secret shown on the meter's console/label, with which a consumer claims it; never
 *     sent over MQTT
 * @param claimVerifier what the meter publishes instead, in its birth message ({@link
 *     dev.ims.model.meter.ClaimCodes}); computed once, because it costs a slow hash
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
        String claimVerifier,
        long nextSeq,
        double energyKwh,
        Instant lastTs,
        RelayState relay,
        double baseLoadW,
        long seed) {

    /** This state with a verifier for its claim code, computing one if it has none (older state files). */
    public MeterState withClaimVerifier() {
        return claimVerifier != null ? this : new MeterState(meterId, claimCode,
                dev.ims.model.meter.ClaimCodes.verifier(claimCode, dev.ims.model.meter.ClaimCodes.DEFAULT_ITERATIONS),
                nextSeq, energyKwh, lastTs, relay, baseLoadW, seed);
    }
}
