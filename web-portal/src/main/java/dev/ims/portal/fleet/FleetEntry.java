package dev.ims.portal.fleet;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bson.Document;

/**
 * One meter as the fleet index keeps it: what the staff's fleet view shows and filters on, taken from the meter document
 * ({@link #of}), a few hundred bytes. Immutable. Silence is not stored: it is derived from {@code lastSeen} at the time
 * of the question ({@link #states}).
 *
 * @param connection the newest status the ingest kept ({@code ONLINE}, {@code OFFLINE}) or {@code UNKNOWN}
 * @param stateSince when that status was sent; null when unknown
 * @param decommissioned when the meter was decommissioned; null while in service
 * @param doNotDisconnect whether staff flagged it "do not disconnect" (an OFF then needs a second staff member's approval)
 * @param noDataSince when its bridge last had data from the meter, while the bridge reports the meter SILENT; else null
 */
public record FleetEntry(String meterId, String owner, String connection, Instant stateSince, Instant lastSeen, Double powerW,
        Double energyKwh, String relay, String status, String fault, Instant decommissioned, boolean doNotDisconnect, Instant noDataSince) {

    /** A meter not OFFLINE without a reading for this long is silent (as the alarms say). */
    public static final Duration SILENT = Duration.ofMinutes(15);

    /** The fields the index reads of a meter document: nothing else is fetched. */
    public static final Document PROJECTION = new Document(OWNER, 1).append(CONNECTION_LAST, 1).append(CONNECTION, 1).append(LAST_SEEN, 1)
            .append(LATEST + "." + POWER_W, 1).append(LATEST + "." + ENERGY_KWH, 1).append(LATEST + "." + RELAY, 1)
            .append(LATEST + "." + STATUS, 1).append(LATEST + "." + FAULT, 1).append(DECOMMISSIONED + "." + AT, 1)
            .append(DO_NOT_DISCONNECT, 1).append(SOURCE, 1);

    /** The entry of a meter document (read with {@link #PROJECTION} or whole). */
    public static FleetEntry of(Document d) {
        Document last = d.get(CONNECTION_LAST) instanceof Document l ? l : null;
        String state = last == null ? null : last.getString(STATE);
        if (state == null) {
            state = d.get(CONNECTION) instanceof String s ? s : null;
        }
        Document latest = d.get(LATEST) instanceof Document l ? l : new Document();
        Instant decommissioned = null;
        if (d.get(DECOMMISSIONED) instanceof Document dec) {
            decommissioned = dec.get(AT) instanceof Date at ? at.toInstant() : Instant.EPOCH;
        } else if (d.get(DECOMMISSIONED) != null) {
            decommissioned = Instant.EPOCH;
        }
        return new FleetEntry(String.valueOf(d.get(ID)), d.get(OWNER) instanceof String o ? o : null, state == null ? "UNKNOWN" : state,
                last != null && last.get(TS) instanceof Date ts ? ts.toInstant() : null,
                d.get(LAST_SEEN) instanceof Date seen ? seen.toInstant() : null,
                number(latest.get(POWER_W)), number(latest.get(ENERGY_KWH)), text(latest.get(RELAY)), text(latest.get(STATUS)),
                text(latest.get(FAULT)), decommissioned, d.get(DO_NOT_DISCONNECT) instanceof Document || Boolean.TRUE.equals(d.get(DO_NOT_DISCONNECT)),
                MeterDocs.noDataSince(d));
    }

    private static Double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : null;
    }

    private static String text(Object v) {
        return v == null ? null : v.toString();
    }

    /** The meter's one connection state at {@code now}. */
    public FleetState connectionState(Instant now) {
        if (decommissioned != null) {
            return FleetState.DECOMMISSIONED;
        }
        if ("OFFLINE".equals(connection)) {
            return FleetState.OFFLINE;
        }
        if (lastSeen != null && lastSeen.isBefore(now.minus(SILENT))) {
            return FleetState.SILENT;
        }
        return "ONLINE".equals(connection) ? FleetState.ONLINE : FleetState.UNKNOWN;
    }

    /** Its connection state and its conditions at {@code now}. */
    public Set<FleetState> states(Instant now) {
        FleetState c = connectionState(now);
        Set<FleetState> out = EnumSet.of(c);
        if (c == FleetState.DECOMMISSIONED) {
            return out;
        }
        if ("FAULT".equals(status)) {
            out.add(FleetState.FAULT);
        }
        if ("TAMPER".equals(fault)) {
            out.add(FleetState.TAMPER);
        }
        if ("OFF".equals(relay)) {
            out.add(FleetState.SUPPLY_OFF);
        }
        return out;
    }

    /** Whether its power counts in the fleet's load at {@code now}: in service, reporting (online or unknown, not silent), with a power. */
    public boolean reporting(Instant now) {
        FleetState c = connectionState(now);
        return powerW != null && (c == FleetState.ONLINE || c == FleetState.UNKNOWN) && lastSeen != null;
    }

    /** Whether {@code lowerCaseQuery} is in its meter ID or owner, ignoring case. */
    boolean matches(String lowerCaseQuery) {
        return meterId.toLowerCase(Locale.ROOT).contains(lowerCaseQuery)
                || owner != null && owner.toLowerCase(Locale.ROOT).contains(lowerCaseQuery);
    }

    /** The entry as the API lists it at {@code now}: every field named, absent values as null. */
    public Map<String, Object> view(Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        Set<FleetState> states = states(now);
        m.put("meterId", meterId);
        m.put("owner", owner);
        m.put("state", connectionState(now).key());
        m.put("states", states.stream().map(FleetState::key).toList());
        m.put("connection", connection);
        m.put("stateSince", stateSince == null ? null : stateSince.toString());
        m.put("lastSeen", lastSeen == null ? null : lastSeen.toString());
        m.put("powerW", powerW);
        m.put("energyKwh", energyKwh);
        m.put("relay", relay);
        m.put("status", status);
        m.put("fault", fault);
        m.put("decommissionedAt", decommissioned == null ? null : decommissioned.toString());
        m.put("doNotDisconnect", doNotDisconnect);
        return m;
    }
}
