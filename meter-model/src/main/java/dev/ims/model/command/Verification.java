package dev.ims.model.command;

/**
 * What {@link CommandVerifier} found; {@code detail} says it in words for the acknowledgement and the log.
 */
public record Verification(Outcome outcome, String detail) {

    /** In the order the verifier checks. */
    public enum Outcome {
        /** Signed by a trusted key for this meter, and within its validity. */
        VALID,
        /** No {@code sig} or no {@code keyId}. */
        UNSIGNED,
        /** Signed by a key not in the meter's key set (or the meter trusts no key at all). */
        UNKNOWN_KEY,
        /**
         * The signature does not verify: altered fields, a command signed for another meter, a {@code sig}
         * that is not base64url, a signature without {@code expiresAt}.
         */
        BAD_SIGNATURE,
        /** The meter's clock is past {@code expiresAt}. */
        EXPIRED,
        /** {@code ts} lies further in the future than the allowed clock skew. */
        NOT_YET_VALID
    }

    public static final Verification VALID = new Verification(Outcome.VALID, "valid");

    public boolean ok() {
        return outcome == Outcome.VALID;
    }
}
