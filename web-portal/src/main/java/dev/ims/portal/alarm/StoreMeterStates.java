package dev.ims.portal.alarm;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.util.List;
import org.bson.Document;

/** {@link MeterStates} from one projected scan of {@code meters} (only the fields the states need). */
public final class StoreMeterStates implements MeterStates {

    private final MongoDatabase db;

    public StoreMeterStates(MongoDatabase db) {
        this.db = db;
    }

    @Override
    public Future<List<State>> all() {
        return Mongo.list(db.getCollection(METERS).find().projection(new Document(CONNECTION_LAST, 1).append(CONNECTION, 1)
                        .append(LAST_SEEN, 1).append(SOURCE, 1).append(DECOMMISSIONED, 1)))
                .map(l -> l.stream().map(m -> new State(m.getString(ID), m.getDate(LAST_SEEN) == null ? null : m.getDate(LAST_SEEN).toInstant(),
                        MeterDocs.connectionState(m), MeterDocs.isDecommissioned(m), MeterDocs.noDataSince(m))).toList());
    }
}
