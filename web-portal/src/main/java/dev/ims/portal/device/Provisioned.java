package dev.ims.portal.device;

/**
 * A meter provisioned by the CLI ({@link DeviceRegistry#provision}): everything the meter (or its label) needs.
 * The secret and the claim code are shown once and never stored; the store keeps their verifiers only.
 *
 * @param meterId the meter's ID (broker username and client ID)
 * @param secret the meter's broker password
 * @param claimCode what the consumer types to claim the meter ({@code XXXXX-XXXXX})
 * @param claimVerifier the claim code's verifier, as stored on the meter document
 * @param created false when the meter was enrolled already with this secret (never, for a fresh secret)
 */
public record Provisioned(String meterId, String secret, String claimCode, String claimVerifier, boolean created) {

    @Override
    public String toString() {
        return "Provisioned[meterId=" + meterId + ", secret=<hidden>, claimCode=<hidden>, created=" + created + "]";
    }
}
