package dev.ims.portal.account;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;

/**
 * Password hashing with bcrypt (at.favre.lib). Passwords longer than bcrypt's 72 bytes are pre-hashed with
 * SHA-512 rather than cut. Hashing and verifying are deliberately slow (cost 12: about a quarter second):
 * call them off event loops. Thread-safe.
 */
public final class Passwords {

    public static final int DEFAULT_COST = 12;
    public static final int MIN_LENGTH = 10;
    public static final int MAX_LENGTH = 200;

    private final int cost;
    private final BCrypt.Hasher hasher;
    private final BCrypt.Verifyer verifyer;

    public Passwords(int cost) {
        if (cost < 4 || cost > 31) {
            throw new IllegalArgumentException("bcrypt cost must be 4..31, got " + cost);
        }
        this.cost = cost;
        this.hasher = BCrypt.with(BCrypt.Version.VERSION_2B, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2B));
        this.verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2B, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2B));
    }

    /** Null when {@code password} is acceptable for {@code username}, else why not (shown to the user). */
    public static String policyProblem(String username, String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            return "the password must have at least " + MIN_LENGTH + " characters";
        }
        if (password.length() > MAX_LENGTH) {
            return "the password must have at most " + MAX_LENGTH + " characters";
        }
        if (password.equalsIgnoreCase(username)) {
            return "the password must differ from the username";
        }
        return null;
    }

    public String hash(String password) {
        return new String(hasher.hash(cost, password.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** False for a wrong password and for a malformed or missing hash. */
    public boolean verify(String password, String hash) {
        if (password == null || hash == null) {
            return false;
        }
        try {
            return verifyer.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.UTF_8)).verified;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
