package dev.ims.model.security;

/** What an identity on the broker is; its rights follow from it ({@link BrokerRights}). */
public enum Role {
    /** One meter: its own reading, status and command-ack topics out, its own command topic in. */
    METER,
    /** An ingest instance: every meter's readings (plain or through the ingest's share group), statuses and acks in. */
    INGEST,
    /** A portal instance: relay commands out to any meter, every meter's status in. */
    PORTAL,
    /**
     * A monitoring client (the portal's broker monitor): reads the broker's own figures on {@code $SYS/#} and nothing
     * else; publishes nothing, reads no meter's messages.
     */
    MONITOR
}
