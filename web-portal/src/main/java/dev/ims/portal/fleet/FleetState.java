package dev.ims.portal.fleet;

import java.util.Locale;

/**
 * What a meter of the fleet can be, as staff filter and count it. A meter is in exactly one connection state
 * ({@link #isConnection()}: decommissioned, offline, silent, online or unknown, in that order of precedence) and in any
 * of the conditions its newest reading shows (fault, supply off, tamper); a decommissioned meter in no condition.
 */
public enum FleetState {
    ONLINE("online", true),
    OFFLINE("offline", true),
    /** Connected as far as the broker knows, but no reading for {@link FleetEntry#SILENT} or longer. */
    SILENT("silent", true),
    /** No status received yet and no recent reading. */
    UNKNOWN("unknown", true),
    DECOMMISSIONED("decommissioned", true),
    /** The newest reading's status is FAULT (any fault code). */
    FAULT("fault", false),
    /** The newest reading shows the supply relay OFF. */
    SUPPLY_OFF("supplyOff", false),
    /** The newest reading reports the TAMPER fault. */
    TAMPER("tamper", false);

    private final String key;
    private final boolean connection;

    FleetState(String key, boolean connection) {
        this.key = key;
        this.connection = connection;
    }

    /** The name in the API, the page's filter and the counts: {@code online}, {@code supplyOff}, ... */
    public String key() {
        return key;
    }

    public boolean isConnection() {
        return connection;
    }

    /** The state named {@code key} (case-insensitive), or null. */
    public static FleetState of(String key) {
        for (FleetState s : values()) {
            if (s.key.toLowerCase(Locale.ROOT).equals(key.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }
}
