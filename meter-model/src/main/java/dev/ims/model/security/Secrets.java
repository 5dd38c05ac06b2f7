package dev.ims.model.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Machine secrets: 256 random bits, and the verifier a store keeps instead of the secret.
 *
 * <p>A verifier is a plain SHA-256, not a slow password hash, on purpose: these secrets are generated, never
 * chosen by a person, so there is nothing to guess (2^256 candidates) and a slow hash would only make every
 * reconnect of a fleet expensive for the broker. Consumers' and staff passwords keep bcrypt.
 */
public final class Secrets {

    /** The prefix of a verifier, naming its algorithm. */
    public static final String VERIFIER_PREFIX = "sha256:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** 32 random bytes, base64url without padding (43 characters). */
    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** {@code sha256:<hex>} of the secret's UTF-8 bytes. */
    public static String verifier(String secret) {
        return VERIFIER_PREFIX + HexFormat.of().formatHex(sha256(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code secret} matches {@code verifier}, in time independent of where they differ. False for nulls. */
    public static boolean matches(String secret, String verifier) {
        if (secret == null || verifier == null) {
            return false;
        }
        return MessageDigest.isEqual(verifier(secret).getBytes(StandardCharsets.US_ASCII), verifier.getBytes(StandardCharsets.US_ASCII));
    }

    /** Compares two secrets in constant time (for a shared key such as the fleet provisioning key). False for nulls. */
    public static boolean same(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(a.getBytes(StandardCharsets.UTF_8)), sha256(b.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
