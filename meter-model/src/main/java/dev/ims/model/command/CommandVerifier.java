package dev.ims.model.command;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Checks that a command (any {@link MeterCommand}: supply relay, circuit, schedule) was signed for THIS meter by a key it trusts and is still valid. Checks in
 * this order, the first failure deciding: signed at all; known key; signature over
 * {@link MeterCommand#signedBytes(String) its signed bytes} with the meter's own ID; {@code now} not after
 * {@code expiresAt}; {@code ts} not more than {@code skew} ahead of {@code now}. The times are judged only
 * once the signature shows they are the signer's. Thread-safe.
 */
public final class CommandVerifier {

    /** How far a command's {@code ts} may lie ahead of the meter's clock: clocks differ a little. */
    public static final Duration DEFAULT_SKEW = Duration.ofMinutes(5);

    private final CommandKeySet keys;
    private final Duration skew;

    public CommandVerifier(CommandKeySet keys, Duration skew) {
        if (skew == null || skew.isNegative()) {
            throw new IllegalArgumentException("skew must not be negative, got " + skew);
        }
        this.keys = keys;
        this.skew = skew;
    }

    public CommandVerifier(CommandKeySet keys) {
        this(keys, DEFAULT_SKEW);
    }

    public CommandKeySet keys() {
        return keys;
    }

    /** @param meterId the verifying meter's own ID (never one taken from the message) */
    public Verification verify(String meterId, MeterCommand command, Instant now) {
        if (command.sig() == null || command.keyId() == null) {
            return new Verification(Verification.Outcome.UNSIGNED, command.sig() == null ? "the command carries no signature (sig)"
                    : "the command's signature names no key (keyId)");
        }
        PublicKey key = keys.keys().get(command.keyId());
        if (key == null) {
            return new Verification(Verification.Outcome.UNKNOWN_KEY, keys.isEmpty()
                    ? "this meter trusts no command key (no key set)"
                    : "signed by key " + dev.ims.model.json.Fields.abbreviate(command.keyId()) + ", which this meter does not trust");
        }
        if (command.expiresAt() == null) {
            return new Verification(Verification.Outcome.BAD_SIGNATURE, "a signed command must carry expiresAt");
        }
        byte[] sig;
        try {
            sig = Base64.getUrlDecoder().decode(command.sig());
        } catch (IllegalArgumentException e) {
            return new Verification(Verification.Outcome.BAD_SIGNATURE, "sig is not base64url");
        }
        if (!verifies(key, command.signedBytes(meterId), sig)) {
            return new Verification(Verification.Outcome.BAD_SIGNATURE,
                    "the signature does not match this command for meter " + meterId + " (altered, or signed for another meter)");
        }
        if (now.isAfter(command.expiresAt())) {
            return new Verification(Verification.Outcome.EXPIRED, "valid until " + command.expiresAt() + ", the meter's clock is " + now);
        }
        if (command.ts().isAfter(now.plus(skew))) {
            return new Verification(Verification.Outcome.NOT_YET_VALID,
                    "issued at " + command.ts() + ", more than " + skew + " after the meter's clock (" + now + ")");
        }
        return Verification.VALID;
    }

    private static boolean verifies(PublicKey key, byte[] data, byte[] sig) {
        try {
            Signature v = Signature.getInstance(CommandKeys.ALGORITHM);
            v.initVerify(key);
            v.update(data);
            return v.verify(sig);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // A signature of the wrong length or form is a bad signature, not an error.
            return false;
        }
    }
}
