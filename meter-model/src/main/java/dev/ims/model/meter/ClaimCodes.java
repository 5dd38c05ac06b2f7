package dev.ims.model.meter;

import dev.ims.model.status.StatusMessage;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Claim codes: the secret a meter shows on its console or label, with which a consumer links the meter
 * to an account. The code itself never leaves the meter; its birth status message carries a verifier
 * instead ({@value #STATUS_FIELD}: {@code pbkdf2-sha256$iterations$salt$hash}, salted PBKDF2 from the
 * JDK), from which the portal can check a code but not recover it. Codes are 10 characters of a
 * 32-letter alphabet without look-alikes (50 bits), shown as {@code XXXXX-XXXXX}; input is compared
 * ignoring case, spaces and dashes.
 */
public final class ClaimCodes {

    /** The birth-message field that carries the verifier. */
    public static final String STATUS_FIELD = "claim";
    public static final int DEFAULT_ITERATIONS = 60_000;
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final String PREFIX = "pbkdf2-sha256";
    private static final int MAX_ITERATIONS = 1_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClaimCodes() {}

    /** A new random code, e.g. {@code K7QMD-2XHRT}. */
    public static String newCode() {
        StringBuilder b = new StringBuilder(11);
        for (int i = 0; i < 10; i++) {
            if (i == 5) {
                b.append('-');
            }
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    /** Upper case without spaces and dashes: what is hashed and compared. */
    public static String normalize(String code) {
        return code.replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT);
    }

    /** A verifier for {@code code} with a fresh salt. Costs one PBKDF2 run (tens of milliseconds). */
    public static String verifier(String code, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(hash(normalize(code), salt, iterations));
    }

    /** True when {@code verifier} has the verifier format (cheap; does not hash). */
    public static boolean isVerifier(String verifier) {
        return parse(verifier) != null;
    }

    /**
     * True when {@code code} matches {@code verifier}; false for any malformed verifier. Constant-time
     * comparison; costs one PBKDF2 run, so call it off event loops.
     */
    public static boolean matches(String verifier, String code) {
        Object[] p = parse(verifier);
        if (p == null || code == null) {
            return false;
        }
        return MessageDigest.isEqual((byte[]) p[2], hash(normalize(code), (byte[]) p[1], (Integer) p[0]));
    }

    /**
     * The verifier a status message carries, or null when it carries none, a malformed one, or one with an
     * iteration count other than the system's ({@link #DEFAULT_ITERATIONS}): the cost of checking a code is
     * the system's choice, not the device's (a device could otherwise make every claim attempt cost a
     * million rounds, or make its code cheap to brute-force from the verifier).
     */
    public static String verifierOf(StatusMessage status) {
        Object v = status.extras().get(STATUS_FIELD);
        if (!(v instanceof String s)) {
            return null;
        }
        Object[] p = parse(s);
        return p != null && (Integer) p[0] == DEFAULT_ITERATIONS ? s : null;
    }

    private static Object[] parse(String verifier) {
        if (verifier == null || verifier.length() > 200) {
            return null;
        }
        String[] parts = verifier.split("\\$");
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            return null;
        }
        try {
            int iterations = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] hash = Base64.getDecoder().decode(parts[3]);
            if (iterations < 1000 || iterations > MAX_ITERATIONS || salt.length < 8 || hash.length != 32) {
                return null;
            }
            return new Object[] {iterations, salt, hash};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] hash(String normalized, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(normalized.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
        }
    }
}
