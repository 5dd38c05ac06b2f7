package dev.ims.model.circuit;

import java.util.regex.Pattern;

/**
 * A circuit as its meter describes it (in the birth status message, contract "added with circuits"): an appliance or
 * sub-circuit with its own measurement and, when {@code switchable}, its own relay.
 *
 * @param id {@link #ID} — unique on its meter, stable across restarts
 * @param name shown to the consumer, 1 to 40 printable characters
 * @param critical never switched remotely (a fridge, medical equipment): commands and schedules for it are refused
 * @param switchable the circuit has a relay the meter drives
 */
public record CircuitInfo(String id, String name, CircuitKind kind, boolean critical, boolean switchable) {

    /** A circuit ID: lower-case letters, digits and dashes, starting with a letter or digit, at most 32 characters. */
    public static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    /** The most circuits a meter may have. */
    public static final int MAX_CIRCUITS = 16;

    public CircuitInfo {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("circuit id '" + id + "' must match " + ID.pattern());
        }
        if (name == null || name.isBlank() || name.length() > 40 || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw new IllegalArgumentException("circuit name must be 1 to 40 printable characters");
        }
        if (kind == null) {
            throw new IllegalArgumentException("circuit kind is required");
        }
    }

    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** Whether the meter may switch it on a command or schedule: it has a relay and is not critical. */
    public boolean remotelySwitchable() {
        return switchable && !critical;
    }
}
