package dev.ims.store.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The alarm records' {@code _id}s and writes. Every write filters on {@code _id} alone (or {@code _id} and
 * {@code raisedAt}) and is idempotent, so two ingest instances, or two portal instances, seeing the same cause agree on
 * one record:
 * <ul>
 *   <li>raise: an upsert of {@code <KIND>/<subject>} in {@value dev.ims.model.storage.StoreSchema#ALARMS} that sets the
 *       record on insert ({@code raisedAt}, the evidence) and otherwise only moves {@code lastSeenAt} ({@code $max}) and
 *       counts the report ({@code occurrences}, {@code $inc}: every raising write, i.e. every time a writer newly found
 *       the cause, counts once);
 *   <li>clear: the open record copied into {@value dev.ims.model.storage.StoreSchema#ALARM_HISTORY} under
 *       {@code <KIND>/<subject>/<raisedAt epoch ms>} ({@code $setOnInsert}: the first clearing wins), then the open record
 *       deleted by {@code _id} and {@code raisedAt} (an alarm raised again meanwhile is a new record and stays).
 * </ul>
 * Pure and thread-safe.
 */
public final class AlarmRecords {

    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private AlarmRecords() {}

    /** {@code <KIND>/<subject>}: the open alarm's {@code _id}. */
    public static String id(AlarmKind kind, String subject) {
        return kind.name() + "/" + subject;
    }

    /** {@code <KIND>/<subject>/<raisedAt epoch ms>}: the {@code _id} of the alarm once cleared. */
    public static String historyId(String openId, Instant raisedAt) {
        return openId + "/" + raisedAt.toEpochMilli();
    }

    /** Evidence: the one-line {@code text} and structured fields (name, value pairs; null values left out). */
    public static Document evidence(String text, Object... fields) {
        Document d = new Document(ALARM_TEXT, text);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i + 1] != null) {
                d.append((String) fields[i], fields[i + 1] instanceof Instant t ? Date.from(t) : fields[i + 1]);
            }
        }
        return d;
    }

    /**
     * A cause found: what raises (or keeps) an alarm.
     *
     * @param meterId the meter it is about, or null
     * @param raisedAt when the cause began, as far as the writer knows (the reading's or status's time for the ingest's
     *     kinds, so that two instances raising from the same message agree on it)
     * @param seenAt when the cause was last seen
     * @param evidence {@link #evidence}
     */
    public record Raise(AlarmKind kind, String subject, String meterId, Instant raisedAt, Instant seenAt, Document evidence) {

        public String id() {
            return AlarmRecords.id(kind, subject);
        }

        /** The open record as a raise inserts it. */
        public Document document() {
            return new Document(ID, id()).append(ALARM_KIND, kind.name()).append(ALARM_SEVERITY, kind.severity().wire())
                    .append(METER_ID, meterId).append(ALARM_SUBJECT, subject).append(ALARM_RAISED_AT, Date.from(raisedAt))
                    .append(ALARM_EVIDENCE, evidence).append(ALARM_LAST_SEEN_AT, Date.from(seenAt)).append(ALARM_OCCURRENCES, 1L);
        }
    }

    /** The upsert that raises {@code r} in {@value dev.ims.model.storage.StoreSchema#ALARMS}, or counts it on an open one. */
    public static UpdateOneModel<Document> raise(Raise r) {
        return new UpdateOneModel<>(Filters.eq(ID, r.id()), Updates.combine(
                Updates.setOnInsert(ALARM_KIND, r.kind().name()),
                Updates.setOnInsert(ALARM_SEVERITY, r.kind().severity().wire()),
                Updates.setOnInsert(METER_ID, r.meterId()),
                Updates.setOnInsert(ALARM_SUBJECT, r.subject()),
                Updates.setOnInsert(ALARM_RAISED_AT, Date.from(r.raisedAt())),
                Updates.setOnInsert(ALARM_EVIDENCE, r.evidence()),
                Updates.max(ALARM_LAST_SEEN_AT, Date.from(r.seenAt())),
                Updates.inc(ALARM_OCCURRENCES, 1L)), UPSERT);
    }

    /** {@code {at, by, note, evidence}}; {@code by} is {@value dev.ims.model.storage.StoreSchema#ALARM_BY_AUTO} or a staff user. */
    public static Document cleared(Instant at, String by, String note, Document evidence) {
        Document d = new Document(AT, Date.from(at)).append(ALARM_BY, by).append(ALARM_NOTE, note);
        if (evidence != null) {
            d.append(ALARM_EVIDENCE, evidence);
        }
        return d;
    }

    /** The history record of the open record {@code open} cleared as {@code cleared}. */
    public static Document history(Document open, Document cleared) {
        Document h = new Document(ID, historyId(open.getString(ID), open.getDate(ALARM_RAISED_AT).toInstant()));
        open.forEach((k, v) -> {
            if (!ID.equals(k)) {
                h.append(k, v);
            }
        });
        return h.append(ALARM_CLEARED, cleared);
    }

    /** Inserts a history record unless one of that {@code _id} is there already (the first clearing wins). */
    public static UpdateOneModel<Document> keep(Document history) {
        List<Bson> set = new ArrayList<>();
        for (Map.Entry<String, Object> e : history.entrySet()) {
            if (!ID.equals(e.getKey())) {
                set.add(Updates.setOnInsert(e.getKey(), e.getValue()));
            }
        }
        return new UpdateOneModel<>(Filters.eq(ID, history.get(ID)), Updates.combine(set), UPSERT);
    }

    /** The filter that deletes {@code open} once it is in the history, and not a newer alarm of the same {@code _id}. */
    public static Bson same(Document open) {
        return Filters.and(Filters.eq(ID, open.get(ID)), Filters.eq(ALARM_RAISED_AT, open.getDate(ALARM_RAISED_AT)));
    }

    /** A hold ({@value dev.ims.model.storage.StoreSchema#ALARM_HOLDS}) left by staff clearing {@code open}. */
    public static Document hold(Document open, String by, Instant at) {
        return new Document(ID, open.get(ID)).append(ALARM_KIND, open.getString(ALARM_KIND)).append(ALARM_SUBJECT, open.getString(ALARM_SUBJECT))
                .append(METER_ID, open.getString(METER_ID)).append(ALARM_BY, by).append(AT, Date.from(at));
    }
}
