package dev.ims.model.meter;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Meter IDs: {@code [A-Za-z0-9_-]{3,64}} per the contract. New IDs are ULID-style — a prefix, a dash
 * and 26 Crockford base-32 characters (48 bits of milliseconds, then 80 random bits) — so they sort
 * by creation time and two consoles started in the same millisecond still differ.
 */
public final class MeterIds {

    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9_-]{3,64}");
    public static final String DEFAULT_PREFIX = "IMS";

    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final Random RANDOM = new SecureRandom();

    private MeterIds() {}

    public static boolean isValid(String id) {
        return id != null && PATTERN.matcher(id).matches();
    }

    /** A new ID such as {@code IMS-01JD3T9K2QX4M7B8C9D0E1F2G3}. */
    public static String newId() {
        return newId(DEFAULT_PREFIX, Clock.systemUTC(), RANDOM);
    }

    public static String newId(String prefix, Clock clock, Random random) {
        long millis = clock.millis();
        char[] out = new char[26];
        for (int i = 9; i >= 0; i--) {
            out[i] = CROCKFORD[(int) (millis & 31)];
            millis >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            out[i] = CROCKFORD[random.nextInt(32)];
        }
        String id = prefix + "-" + new String(out);
        if (!isValid(id)) {
            throw new IllegalArgumentException("prefix '" + prefix + "' makes an invalid meter ID");
        }
        return id;
    }
}
