package dev.ims.portal.store;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * The oldest and newest reading time stored for a meter (its meter document's {@code firstReadingTs} /
 * {@code lastReadingTs}): the span a whole-history read covers and the bound of every look-back.
 *
 * @param first null (and {@code last} too) when the meter has no reading stored
 */
public record StoredRange(Instant first, Instant last) {

    static final StoredRange NONE = new StoredRange(null, null);

    public boolean isEmpty() {
        return first == null || last == null;
    }

    /** Reads the meter's range: one document by {@code _id}, two fields. */
    static Future<StoredRange> of(MongoDatabase db, String meterId) {
        return Mongo.first(db.getCollection(METERS).find(Filters.eq(ID, meterId))
                        .projection(Projections.include(FIRST_READING_TS, LAST_READING_TS)))
                .map(d -> d == null ? NONE : from(d));
    }

    /** The range a meter document (or its projection) holds. */
    static StoredRange from(Document meter) {
        return new StoredRange(instant(meter, FIRST_READING_TS), instant(meter, LAST_READING_TS));
    }

    private static Instant instant(Document d, String field) {
        return d.get(field) instanceof Date date ? date.toInstant() : null;
    }
}
