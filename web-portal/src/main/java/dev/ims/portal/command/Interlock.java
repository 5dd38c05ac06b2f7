package dev.ims.portal.command;

import static dev.ims.model.storage.StoreSchema.*;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bson.Document;

/**
 * Why a meter's supply must not be switched ON without an explicit override: its newest reading reports a fault, or it
 * has an open tamper alarm. Either, both, or none ({@link #active()} false).
 *
 * @param faultCode the newest reading's {@code fault} code (null when it reported FAULT without one, or no fault)
 * @param faultAt when that reading was taken; null when the meter reports no fault
 * @param alarmId the open tamper alarm's {@code _id} ({@code TAMPER/<meterId>}); null when there is none
 */
public record Interlock(String faultCode, Instant faultAt, String alarmId) {

    /** No interlock. */
    public static final Interlock NONE = new Interlock(null, null, null);

    /** The tamper alarm's {@code _id} for a meter, as the alarms keep it. */
    public static String tamperAlarmId(String meterId) {
        return ALARM_TAMPER + "/" + meterId;
    }

    /**
     * The interlock of a meter document ({@code latest.status} FAULT) and of whether its tamper alarm is open.
     *
     * @param tamperAlarm the open tamper alarm document, or null
     */
    public static Interlock of(Document meter, Document tamperAlarm) {
        Document latest = meter.get(LATEST, Document.class);
        boolean fault = latest != null && "FAULT".equals(latest.getString(STATUS));
        Instant at = fault && latest.get(TS) instanceof Date d ? d.toInstant() : null;
        return new Interlock(fault ? latest.getString(FAULT) : null, fault ? (at == null ? Instant.EPOCH : at) : null,
                tamperAlarm == null ? null : tamperAlarm.getString(ID));
    }

    public boolean fault() {
        return faultAt != null;
    }

    public boolean active() {
        return fault() || alarmId != null;
    }

    /** In words, for error messages and the audit trail. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (fault()) {
            b.append("the meter reports a fault").append(faultCode == null ? "" : " (" + faultCode + ")").append(" in its reading of ").append(faultAt);
        }
        if (alarmId != null) {
            b.append(b.isEmpty() ? "" : " and ").append("tamper alarm ").append(alarmId).append(" is open");
        }
        return b.isEmpty() ? "no interlock" : b.toString();
    }

    /** As the API and the stored override show it: {@code {fault: {code, at} | null, alarmId | null}}. */
    public Map<String, Object> view() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> f = null;
        if (fault()) {
            f = new LinkedHashMap<>();
            f.put("code", faultCode);
            f.put(AT, faultAt.toString());
        }
        out.put(FAULT, f);
        out.put(ALARM_ID, alarmId);
        return out;
    }

    /** As stored with an override (dates as dates). */
    public Document document() {
        return new Document(FAULT, fault() ? new Document("code", faultCode).append(AT, Date.from(faultAt)) : null).append(ALARM_ID, alarmId);
    }
}
