package dev.ims.portal.quarantine;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.HttpError;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.bson.types.ObjectId;

/**
 * Quarantined readings in {@code rejected} and the accept actions in {@code quarantine_actions}. Every decision
 * is one conditional update from {@code OPEN}, so of two staff deciding at once exactly one wins and the
 * other gets a 409. Results return on the caller's Vert.x context.
 */
public final class QuarantineStore {

    /** What staff decide. */
    public enum Action { ACCEPT, DISCARD }

    private final MongoDatabase db;
    private final Clock clock;

    public QuarantineStore(MongoDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The meter's quarantined readings, newest first; only the open ones when {@code openOnly}. */
    public Future<List<QuarantinedReading>> forMeter(String meterId, boolean openOnly, int limit) {
        Bson filter = openOnly ? Filters.and(Filters.eq(METER_ID, meterId), Filters.eq(QUARANTINE, QUARANTINE_OPEN))
                : Filters.and(Filters.eq(METER_ID, meterId), Filters.exists(QUARANTINE));
        return Mongo.list(db.getCollection(REJECTED).find(filter).sort(Sorts.descending(RECEIVED_AT, ID)).limit(limit))
                .map(l -> l.stream().map(QuarantinedReading::of).toList());
    }

    /**
     * Records a decision on the quarantined reading {@code rawId} (24 hex digits).
     *
     * <p>Accept: {@code OPEN → ACCEPTING} with the decision, then the action document the ingest acts on
     * ({@code _id} = the same ObjectId). Should that insert fail, the state goes back to {@code OPEN} so the
     * decision can be made again, and the failure is returned. Discard: {@code OPEN → DISCARDED}.
     *
     * @param meterId when not null, the reading must belong to this meter (the meter page's forms)
     * @return the reading as it is now; fails with 404 (malformed ID, no such document, not a quarantined
     *     reading, another meter's) or 409 (already decided)
     */
    public Future<QuarantinedReading> decide(String rawId, String meterId, Action action, String by, String reason) {
        if (rawId == null || !ObjectId.isValid(rawId) || rawId.length() != 24) {
            return Future.failedFuture(notFound(rawId));
        }
        ObjectId id = new ObjectId(rawId);
        Date at = Date.from(clock.instant());
        Document decision = new Document("action", action.name()).append("by", by).append(REASON, reason).append(AT, at);
        String next = action == Action.ACCEPT ? QUARANTINE_ACCEPTING : QUARANTINE_DISCARDED;
        Bson mine = meterId == null ? Filters.eq(ID, id) : Filters.and(Filters.eq(ID, id), Filters.eq(METER_ID, meterId));
        return Mongo.first(db.getCollection(REJECTED).findOneAndUpdate(Filters.and(mine, Filters.eq(QUARANTINE, QUARANTINE_OPEN)),
                        Updates.combine(Updates.set(QUARANTINE, next), Updates.set(DECISION, decision)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                .compose(updated -> {
                    if (updated == null) {
                        return whyNot(rawId, mine);
                    }
                    if (action == Action.DISCARD) {
                        return Future.succeededFuture(QuarantinedReading.of(updated));
                    }
                    Document act = new Document(ID, id).append("by", by).append(REASON, reason).append(AT, at);
                    return Mongo.first(db.getCollection(QUARANTINE_ACTIONS).insertOne(act))
                            .<QuarantinedReading>map(r -> QuarantinedReading.of(updated))
                            .recover(e -> isDuplicate(e) ? Future.succeededFuture(QuarantinedReading.of(updated))
                                    : rollBack(id, e));
                });
    }

    /** A decision that did not apply: 404 when there is nothing to decide on, else 409 naming the state. */
    private Future<QuarantinedReading> whyNot(String rawId, Bson mine) {
        return Mongo.first(db.getCollection(REJECTED).find(mine)).compose(d -> {
            if (d == null || d.getString(QUARANTINE) == null) {
                return Future.failedFuture(notFound(rawId));
            }
            return Future.failedFuture(new HttpError(409, "reading " + rawId + " is no longer open: it is " + d.getString(QUARANTINE)
                    + (d.get(DECISION, Document.class) == null ? "" : " (decided by " + d.get(DECISION, Document.class).getString("by") + ")")));
        });
    }

    private Future<QuarantinedReading> rollBack(ObjectId id, Throwable cause) {
        return Mongo.first(db.getCollection(REJECTED).updateOne(Filters.and(Filters.eq(ID, id), Filters.eq(QUARANTINE, QUARANTINE_ACCEPTING)),
                        Updates.combine(Updates.set(QUARANTINE, QUARANTINE_OPEN), Updates.unset(DECISION))))
                .transform(r -> Future.failedFuture(cause));
    }

    private static HttpError notFound(String rawId) {
        return HttpError.notFound(rawId != null && ObjectId.isValid(rawId) ? "no quarantined reading " + rawId
                : "no quarantined reading with that ID (24 hexadecimal digits)");
    }

    private static boolean isDuplicate(Throwable e) {
        return e instanceof MongoWriteException w && w.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
    }
}
