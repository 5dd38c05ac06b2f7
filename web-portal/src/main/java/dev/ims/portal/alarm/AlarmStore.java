package dev.ims.portal.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.DeleteOneModel;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import dev.ims.store.alarm.AlarmKind;
import dev.ims.store.alarm.AlarmRecords;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The alarm records ({@code alarms}: open, {@code alarm_history}: past, {@code alarm_holds}): staff's reads and
 * decisions, and the sweeper's writes. Staff decisions are conditional updates by {@code _id}, so of two staff acting at
 * once one wins and the other gets a 409. Results return on the caller's Vert.x context.
 */
public final class AlarmStore {

    /** {@code <KIND>/<subject>} or {@code <KIND>/<subject>/<raisedAt epoch ms>}. */
    static final Pattern ALARM_ID = Pattern.compile("([A-Z][A-Z_]{1,39})/([A-Za-z0-9_.:-]{1,128})(?:/([0-9]{1,15}))?");

    /** Which records a listing covers. */
    public enum State { OPEN, ACKNOWLEDGED, CLEARED, ALL }

    /**
     * A listing's filters; null fields filter nothing.
     *
     * @param from raised at or after, @param to raised before
     */
    public record Query(State state, String kind, String meterId, String severity, Instant from, Instant to, int limit) {}

    private final MongoDatabase db;
    private final Clock clock;

    public AlarmStore(MongoDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Open alarms (most severe first, then newest) and/or past ones (newest cleared first), filtered; at most {@code limit}. */
    public Future<List<Alarm>> list(Query q) {
        List<Bson> f = new ArrayList<>();
        if (q.kind() != null) {
            f.add(Filters.eq(ALARM_KIND, q.kind()));
        }
        if (q.meterId() != null) {
            f.add(Filters.eq(METER_ID, q.meterId()));
        }
        if (q.severity() != null) {
            f.add(Filters.eq(ALARM_SEVERITY, q.severity()));
        }
        if (q.from() != null) {
            f.add(Filters.gte(ALARM_RAISED_AT, Date.from(q.from())));
        }
        if (q.to() != null) {
            f.add(Filters.lt(ALARM_RAISED_AT, Date.from(q.to())));
        }
        List<Bson> open = new ArrayList<>(f);
        if (q.state() == State.ACKNOWLEDGED) {
            open.add(Filters.exists(ALARM_ACKNOWLEDGED));
        }
        Future<List<Alarm>> current = q.state() == State.CLEARED ? Future.succeededFuture(List.of())
                : Mongo.list(db.getCollection(ALARMS).find(and(open))).map(l -> {
                    List<Alarm> out = new ArrayList<>(l.stream().map(Alarm::of).toList());
                    out.sort(MOST_SEVERE_FIRST);
                    return out.size() > q.limit() ? out.subList(0, q.limit()) : out;
                });
        return current.compose(opened -> {
            if (q.state() == State.OPEN || q.state() == State.ACKNOWLEDGED || opened.size() >= q.limit()) {
                return Future.succeededFuture(opened);
            }
            return Mongo.list(db.getCollection(ALARM_HISTORY).find(and(f)).sort(Sorts.descending(ALARM_CLEARED + "." + AT))
                    .limit(q.limit() - opened.size())).map(past -> {
                        List<Alarm> all = new ArrayList<>(opened);
                        past.forEach(d -> all.add(Alarm.of(d)));
                        return all;
                    });
        });
    }

    /** Most severe first, then the most recently raised. */
    static final Comparator<Alarm> MOST_SEVERE_FIRST = Comparator.comparingInt((Alarm a) -> AlarmKind.rank(a.severity()))
            .thenComparing(a -> a.since() == null ? Instant.MAX : a.since(), Comparator.reverseOrder());

    /** Open alarms by severity ({@code critical}, {@code warning}, {@code info}): for health and gauges. */
    public Future<Map<String, Long>> openCounts() {
        return Mongo.list(db.getCollection(ALARMS).find().projection(new Document(ALARM_SEVERITY, 1))).map(l -> {
            Map<String, Long> counts = new java.util.LinkedHashMap<>();
            for (AlarmKind.Severity s : AlarmKind.Severity.values()) {
                counts.put(s.wire(), 0L);
            }
            l.forEach(d -> counts.merge(String.valueOf(d.getString(ALARM_SEVERITY)), 1L, Long::sum));
            return counts;
        });
    }

    /** The alarm {@code id}, open or past; 404 when there is none. */
    public Future<Alarm> get(String id) {
        java.util.regex.Matcher m = parse(id);
        String openId = m.group(1) + "/" + m.group(2);
        Future<Document> open = Mongo.first(db.getCollection(ALARMS).find(Filters.eq(ID_FIELD, openId)));
        return open.compose(o -> {
            if (m.group(3) == null) {
                return o == null ? Future.failedFuture(HttpError.notFound("no open alarm " + openId)) : Future.succeededFuture(Alarm.of(o));
            }
            if (o != null && AlarmRecords.historyId(openId, o.getDate(ALARM_RAISED_AT).toInstant()).equals(id)) {
                return Future.succeededFuture(Alarm.of(o)); // the open alarm under the name it will keep
            }
            return Mongo.first(db.getCollection(ALARM_HISTORY).find(Filters.eq(ID_FIELD, id)))
                    .compose(h -> h == null ? Future.failedFuture(HttpError.notFound("no alarm " + id)) : Future.succeededFuture(Alarm.of(h)));
        });
    }

    /** Staff acknowledge the open alarm {@code id}: 404 unknown, 409 already acknowledged or cleared. */
    public Future<Alarm> acknowledge(String id, String by, String note) {
        String openId = openId(id);
        Document ack = new Document(ALARM_BY, by).append(AT, Date.from(clock.instant())).append(ALARM_NOTE, note);
        return Mongo.first(db.getCollection(ALARMS).findOneAndUpdate(Filters.and(matching(id), Filters.exists(ALARM_ACKNOWLEDGED, false)),
                        Updates.set(ALARM_ACKNOWLEDGED, ack), new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                .compose(d -> d != null ? Future.succeededFuture(Alarm.of(d)) : whyNot(id, openId, true));
    }

    /**
     * Staff clear the open alarm {@code id}: it moves to the history with {@code cleared.by} = {@code by}, and a hold keeps
     * its kind and subject from being raised again until its cause has been seen ended once (so an alarm whose cause
     * persists is not raised again at the next reading or sweep). 404 unknown, 409 already cleared.
     */
    public Future<Alarm> clear(String id, String by, String note) {
        String openId = openId(id);
        Instant now = clock.instant();
        return Mongo.first(db.getCollection(ALARMS).find(matching(id))).compose(open -> {
            if (open == null) {
                return whyNot(id, openId, false);
            }
            Document history = AlarmRecords.history(open, AlarmRecords.cleared(now, by, note, null));
            return Mongo.first(db.getCollection(ALARM_HOLDS).replaceOne(Filters.eq(ID_FIELD, openId), AlarmRecords.hold(open, by, now),
                            new ReplaceOptions().upsert(true)))
                    .compose(r -> Mongo.first(db.getCollection(ALARM_HISTORY).bulkWrite(List.of(AlarmRecords.keep(history)))))
                    .compose(r -> Mongo.first(db.getCollection(ALARMS).deleteOne(AlarmRecords.same(open))))
                    .compose(r -> {
                        if (r.getDeletedCount() == 0) {
                            // Another staff member, or the cause ending, was first: no hold is left behind.
                            return Mongo.first(db.getCollection(ALARM_HOLDS).deleteOne(Filters.and(Filters.eq(ID_FIELD, openId),
                                    Filters.eq(AT, Date.from(now))))).compose(x -> whyNot(id, openId, false));
                        }
                        return Future.succeededFuture(Alarm.of(history));
                    });
        });
    }

    // ---- the sweeper's writes

    /**
     * Every open alarm, projected to what a sweep judges by ({@code _id}, kind, meter, subject, {@code raisedAt}): a mass
     * outage's thousands of records cost a sweep a few hundred kilobytes, not their evidence.
     */
    Future<List<Document>> open() {
        return Mongo.list(db.getCollection(ALARMS).find().projection(new Document(ALARM_KIND, 1).append(METER_ID, 1)
                .append(ALARM_SUBJECT, 1).append(ALARM_RAISED_AT, 1)));
    }

    /** Every hold. */
    Future<List<Document>> holds() {
        return Mongo.list(db.getCollection(ALARM_HOLDS).find());
    }

    /** Raises (or counts) each of {@code raises}. */
    Future<Void> raise(Collection<AlarmRecords.Raise> raises) {
        if (raises.isEmpty()) {
            return Future.succeededFuture();
        }
        List<WriteModel<Document>> writes = new ArrayList<>();
        raises.forEach(r -> writes.add(AlarmRecords.raise(r)));
        return Mongo.first(db.getCollection(ALARMS).bulkWrite(writes, new BulkWriteOptions().ordered(false))).mapEmpty();
    }

    /**
     * Clears each open record of {@code cleared} (a record, as {@link #open()} gives it, to its clearing) into the history,
     * then deletes it; one that is gone or was raised anew meanwhile is left alone.
     */
    Future<Void> clearAll(Map<Document, Document> cleared) {
        if (cleared.isEmpty()) {
            return Future.succeededFuture();
        }
        Map<Object, Document> how = new java.util.HashMap<>();
        Map<Object, Object> raisedAt = new java.util.HashMap<>();
        cleared.forEach((open, c) -> {
            how.put(open.get(ID_FIELD), c);
            raisedAt.put(open.get(ID_FIELD), open.get(ALARM_RAISED_AT));
        });
        return Mongo.list(db.getCollection(ALARMS).find(Filters.in(ID_FIELD, how.keySet()))).compose(full -> {
            List<WriteModel<Document>> history = new ArrayList<>();
            List<WriteModel<Document>> deletes = new ArrayList<>();
            for (Document open : full) {
                if (java.util.Objects.equals(open.get(ALARM_RAISED_AT), raisedAt.get(open.get(ID_FIELD)))) {
                    history.add(AlarmRecords.keep(AlarmRecords.history(open, how.get(open.get(ID_FIELD)))));
                    deletes.add(new DeleteOneModel<>(AlarmRecords.same(open)));
                }
            }
            if (history.isEmpty()) {
                return Future.succeededFuture();
            }
            BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
            return Mongo.first(db.getCollection(ALARM_HISTORY).bulkWrite(history, unordered))
                    .compose(r -> Mongo.first(db.getCollection(ALARMS).bulkWrite(deletes, unordered))).mapEmpty();
        });
    }

    Future<Void> dropHolds(Collection<Object> ids) {
        if (ids.isEmpty()) {
            return Future.succeededFuture();
        }
        return Mongo.first(db.getCollection(ALARM_HOLDS).deleteMany(Filters.in(ID_FIELD, ids))).mapEmpty();
    }

    private static final String ID_FIELD = dev.ims.model.storage.StoreSchema.ID;

    private static java.util.regex.Matcher parse(String id) {
        java.util.regex.Matcher m = id == null ? null : ALARM_ID.matcher(id);
        if (m == null || !m.matches()) {
            throw HttpError.notFound("no alarm with that ID (<KIND>/<subject> or <KIND>/<subject>/<raisedAt epoch ms>)");
        }
        return m;
    }

    private static String openId(String id) {
        java.util.regex.Matcher m = parse(id);
        return m.group(1) + "/" + m.group(2);
    }

    /** The open record {@code id} names: by {@code _id}, and by {@code raisedAt} when the ID carries it. */
    private static Bson matching(String id) {
        java.util.regex.Matcher m = parse(id);
        Bson byId = Filters.eq(ID_FIELD, m.group(1) + "/" + m.group(2));
        return m.group(3) == null ? byId : Filters.and(byId, Filters.eq(ALARM_RAISED_AT, new Date(Long.parseLong(m.group(3)))));
    }

    /** Why a decision found no open record to apply to: 409 when it is acknowledged or cleared, else 404. */
    private Future<Alarm> whyNot(String id, String openId, boolean acknowledging) {
        return Mongo.first(db.getCollection(ALARMS).find(matching(id))).compose(open -> {
            if (open != null && acknowledging) {
                Document ack = open.get(ALARM_ACKNOWLEDGED, Document.class);
                return Future.failedFuture(new HttpError(409, "alarm " + openId + " is already acknowledged"
                        + (ack == null ? "" : " by " + ack.getString(ALARM_BY))));
            }
            Bson past = id.equals(openId) ? Filters.regex(ID_FIELD, "^" + Pattern.quote(openId + "/")) : Filters.eq(ID_FIELD, id);
            return Mongo.first(db.getCollection(ALARM_HISTORY).find(past).sort(Sorts.descending(ALARM_RAISED_AT)).limit(1)).compose(h -> {
                if (h == null) {
                    return Future.failedFuture(HttpError.notFound("no alarm " + id));
                }
                Document c = h.get(ALARM_CLEARED, Document.class);
                return Future.failedFuture(new HttpError(409, "alarm " + h.getString(ID_FIELD) + " is already cleared"
                        + (c == null ? "" : " (by " + c.getString(ALARM_BY) + ")")));
            });
        });
    }

    private static Bson and(List<Bson> filters) {
        return filters.isEmpty() ? new Document() : Filters.and(filters);
    }
}
