package dev.ims.portal.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.portal.web.Responses;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;

/**
 * An alarm record as the API and the pages show it (open or past).
 *
 * @param id {@code <KIND>/<subject>} while open, {@code <KIND>/<subject>/<raisedAt epoch ms>} once cleared
 * @param kind what it is, e.g. {@code METER_OFFLINE}
 * @param severity {@code critical}, {@code warning} or {@code info}
 * @param meterId the meter it is about, or null for the system
 * @param subject the meter ID, the ingest instance, or {@code fleet}
 * @param since when its cause began as far as known (= {@code raisedAt})
 * @param detail the evidence's one-line text
 * @param evidence the evidence's structured fields (and {@code text}), as plain JSON values
 * @param lastSeenAt when a writer last reported the cause
 * @param occurrences how many raising writes reported it while open
 * @param acknowledged {@code {by, at, note}} or null
 * @param cleared {@code {at, by, note, evidence?}} or null while open
 */
public record Alarm(String id, String kind, String severity, String meterId, String subject, Instant since, String detail,
        Map<String, Object> evidence, Instant lastSeenAt, long occurrences, Map<String, Object> acknowledged, Map<String, Object> cleared) {

    /** {@code open}, {@code acknowledged} (open and acknowledged) or {@code cleared}. */
    public String state() {
        return cleared != null ? "cleared" : acknowledged != null ? "acknowledged" : "open";
    }

    public boolean isOpen() {
        return cleared == null;
    }

    /** A record of {@code alarms} or {@code alarm_history}. */
    static Alarm of(Document d) {
        Document evidence = d.get(ALARM_EVIDENCE, Document.class);
        Map<String, Object> ev = evidence == null ? Map.of() : Responses.plain(evidence);
        Document ack = d.get(ALARM_ACKNOWLEDGED, Document.class);
        Document cleared = d.get(ALARM_CLEARED, Document.class);
        Number occurrences = d.get(ALARM_OCCURRENCES, Number.class);
        return new Alarm(d.getString(ID), d.getString(ALARM_KIND), d.getString(ALARM_SEVERITY), d.getString(METER_ID),
                d.getString(ALARM_SUBJECT), instant(d, ALARM_RAISED_AT), evidence == null ? "" : String.valueOf(evidence.get(ALARM_TEXT)), ev,
                instant(d, ALARM_LAST_SEEN_AT), occurrences == null ? 1 : occurrences.longValue(), ack == null ? null : Responses.plain(ack),
                cleared == null ? null : Responses.plain(cleared));
    }

    /** The API's view: the fields of before ({@code kind, severity, meterId, since, detail}) and the record's. */
    public Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("kind", kind);
        m.put("severity", severity);
        m.put("meterId", meterId);
        m.put("subject", subject);
        m.put("since", since == null ? null : since.toString());
        m.put("detail", detail);
        m.put("state", state());
        m.put("raisedAt", since == null ? null : since.toString());
        m.put("evidence", evidence);
        m.put("lastSeenAt", lastSeenAt == null ? null : lastSeenAt.toString());
        m.put("occurrences", occurrences);
        m.put("acknowledged", acknowledged);
        m.put("cleared", cleared);
        return m;
    }

    private static Instant instant(Document d, String field) {
        return d.getDate(field) == null ? null : d.getDate(field).toInstant();
    }
}
