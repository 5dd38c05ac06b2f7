package dev.ims.portal.store;

import static dev.ims.model.storage.StoreSchema.DECOMMISSIONED;
import static dev.ims.model.storage.StoreSchema.ID;
import static dev.ims.model.storage.StoreSchema.METERS;
import static dev.ims.model.storage.StoreSchema.OWNER;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.util.List;
import org.bson.Document;

/**
 * The reads of the {@value dev.ims.model.storage.StoreSchema#METERS} collection that the meter API and pages make. It
 * returns the stored documents whole: what the API publishes of them is decided by the views that read them
 * ({@link MeterDocs} for what a document means), who may see which meter by the routes.
 */
public final class MeterRepository {

    private final MongoDatabase db;

    public MeterRepository(MongoDatabase db) {
        this.db = db;
    }

    private MongoCollection<Document> meters() {
        return db.getCollection(METERS);
    }

    /** The meter document of {@code meterId}, or null when the store has none (an exact {@code _id} read). */
    public Future<Document> byId(String meterId) {
        return Mongo.first(meters().find(Filters.eq(ID, meterId)));
    }

    /** Every meter document, by meter ID: the fleet as staff see it. Reads the whole collection. */
    public Future<List<Document>> all() {
        return Mongo.list(meters().find().sort(Sorts.ascending(ID)));
    }

    /** The meters linked to {@code owner} and not decommissioned (a decommissioned meter is gone for its consumer), by ID. */
    public Future<List<Document>> ownedBy(String owner) {
        return Mongo.list(meters().find(Filters.and(Filters.eq(OWNER, owner), Filters.exists(DECOMMISSIONED, false)))
                .sort(Sorts.ascending(ID)));
    }
}
