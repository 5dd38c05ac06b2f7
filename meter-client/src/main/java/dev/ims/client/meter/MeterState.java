package dev.ims.client.meter;

import dev.ims.model.meter.ClaimCodes;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Secrets;
import dev.ims.model.reading.RelayState;
import dev.ims.client.circuit.CircuitState;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

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
 * @param brokerSecret the meter's own secret on the broker (its username and client ID are its meter ID): generated
 *     by the meter itself, saved here before it is first sent, and registered with the portal at enrolment (which is
 *     idempotent for the same secret, so a lost answer is simply asked again)
 * @param exportKwh the export register (energy fed into the grid) at the last reading that carried one, or null for a
 *     meter that does not export (and for state files from before export); never decreases
 * @param circuits the meter's circuits by ID (their relays, registers and a simulated appliance's own state); empty for
 *     a meter without circuits and for state files from before circuits. Never null.
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
        long seed,
        String brokerSecret,
        Double exportKwh,
        Map<String, CircuitState> circuits) {

    public MeterState {
        circuits = circuits == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(circuits));
    }

    /** A state without circuits. */
    public MeterState(String meterId, String claimCode, String claimVerifier, long nextSeq, double energyKwh, Instant lastTs,
            RelayState relay, double baseLoadW, long seed, String brokerSecret, Double exportKwh) {
        this(meterId, claimCode, claimVerifier, nextSeq, energyKwh, lastTs, relay, baseLoadW, seed, brokerSecret, exportKwh, Map.of());
    }

    /** A state without an export register: a meter that does not export. */
    public MeterState(String meterId, String claimCode, String claimVerifier, long nextSeq, double energyKwh, Instant lastTs,
            RelayState relay, double baseLoadW, long seed, String brokerSecret) {
        this(meterId, claimCode, claimVerifier, nextSeq, energyKwh, lastTs, relay, baseLoadW, seed, brokerSecret, null);
    }

    /**
     * A brand-new meter: a new ID and claim code (with its verifier, a slow hash), the relay ON, the
     * register at {@code startKwh}, and a random base load (80 to 249 W) and seed, which only a simulated
     * meter uses.
     *
     * @param now when the register was read, or null when it has not been yet
     */
    public static MeterState newMeter(double startKwh, Instant now) {
        SecureRandom r = new SecureRandom();
        String claim = ClaimCodes.newCode();
        return new MeterState(MeterIds.newId(), claim, ClaimCodes.verifier(claim, ClaimCodes.DEFAULT_ITERATIONS), 0, startKwh, now,
                RelayState.ON, 80 + r.nextInt(170), r.nextLong(), Secrets.newSecret());
    }

    /** This state with a broker secret, generating one if it has none (state files from before identities). */
    public MeterState withBrokerSecret() {
        return brokerSecret != null ? this
                : new MeterState(meterId, claimCode, claimVerifier, nextSeq, energyKwh, lastTs, relay, baseLoadW, seed, Secrets.newSecret(),
                        exportKwh, circuits);
    }

    /** The meter's broker credential: username (and client ID) = meter ID. */
    public Credential credential() {
        if (brokerSecret == null) {
            throw new IllegalStateException("meter " + meterId + " has no broker secret yet (withBrokerSecret)");
        }
        return new Credential(meterId, brokerSecret);
    }

    /** This state with a verifier for its claim code, computing one if it has none (older state files). */
    public MeterState withClaimVerifier() {
        return claimVerifier != null ? this : new MeterState(meterId, claimCode,
                ClaimCodes.verifier(claimCode, ClaimCodes.DEFAULT_ITERATIONS),
                nextSeq, energyKwh, lastTs, relay, baseLoadW, seed, brokerSecret, exportKwh, circuits);
    }

    /**
     * The state after a reading at {@code ts} with these registers: the seq moves on by one.
     *
     * @param exportKwh the export register read, or null to keep the last one known (a reading without it)
     */
    public MeterState afterReading(double energyKwh, Double exportKwh, Instant ts) {
        return new MeterState(meterId, claimCode, claimVerifier, nextSeq + 1, energyKwh, ts, relay, baseLoadW, seed, brokerSecret,
                exportKwh != null ? exportKwh : this.exportKwh, circuits);
    }

    /** This state with {@code circuits} as its circuits' state (null: none). */
    public MeterState withCircuits(Map<String, CircuitState> circuits) {
        return new MeterState(meterId, claimCode, claimVerifier, nextSeq, energyKwh, lastTs, relay, baseLoadW, seed, brokerSecret,
                exportKwh, circuits);
    }

    /** This state with the export register set to {@code kwh} (a meter that starts exporting: 0). */
    public MeterState withExportRegister(double kwh) {
        return new MeterState(meterId, claimCode, claimVerifier, nextSeq, energyKwh, lastTs, relay, baseLoadW, seed, brokerSecret, kwh,
                circuits);
    }

    /** This state with the relay set to {@code wanted}. */
    public MeterState withRelay(RelayState wanted) {
        return new MeterState(meterId, claimCode, claimVerifier, nextSeq, energyKwh, lastTs, wanted, baseLoadW, seed, brokerSecret,
                exportKwh, circuits);
    }

    /** Without the claim code and broker secret, which must never reach a log. */
    @Override
    public String toString() {
        return "MeterState[meterId=" + meterId + ", nextSeq=" + nextSeq + ", energyKwh=" + energyKwh
                + (exportKwh == null ? "" : ", exportKwh=" + exportKwh) + ", lastTs=" + lastTs + ", relay=" + relay + "]";
    }
}
