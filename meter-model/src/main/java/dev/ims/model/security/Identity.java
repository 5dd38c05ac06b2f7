package dev.ims.model.security;

import dev.ims.model.meter.MeterIds;
import java.util.Objects;

/**
 * An authenticated client of the broker. Its MQTT client ID must equal {@link #name()}, for every role: nobody
 * can take another identity's client ID (and so its session) over.
 *
 * @param role what it is
 * @param name a meter's ID, or a service instance's name (e.g. {@code ims-ingest-1}, {@code ims-portal})
 */
public record Identity(Role role, String name) {

    /** Service names start with this; a meter ID never may ({@link #isReservedForServices}). */
    public static final String SERVICE_PREFIX = "ims-";

    public Identity {
        Objects.requireNonNull(role, "role");
        if (!MeterIds.isValid(name)) {
            throw new IllegalArgumentException("identity name '" + name + "' must match " + MeterIds.PATTERN.pattern());
        }
    }

    public static Identity meter(String meterId) {
        return new Identity(Role.METER, meterId);
    }

    /** Whether {@code name} belongs to the services' namespace, so no meter may be enrolled under it. */
    public static boolean isReservedForServices(String name) {
        return name != null && name.startsWith(SERVICE_PREFIX);
    }
}
