package dev.ims.portal.tariff;

import static dev.ims.model.storage.StoreSchema.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.json.Json;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * The tariff in force, as versions in {@value dev.ims.model.storage.StoreSchema#TARIFFS} ({@code _id} =
 * the version's {@code validFrom}). Until staff save a version the configured book applies (from
 * {@code TARIFF_FILE}, or the flat {@code TARIFF_PRICE_PER_KWH}); the first saved version copies the
 * configured ones in, so that history keeps its prices. Costs are never stored: every cost is computed
 * from the versions when asked, so correcting a version re-prices exactly the days it covers.
 */
public final class Tariffs {

    private final MongoDatabase db;
    private final TariffBook configured;

    public Tariffs(MongoDatabase db, TariffBook configured) {
        this.db = db;
        this.configured = configured;
    }

    public Future<TariffBook> book() {
        return Mongo.list(db.getCollection(TARIFFS).find().sort(Sorts.ascending(ID))).map(docs -> {
            if (docs.isEmpty()) {
                return configured;
            }
            List<TariffVersion> versions = new ArrayList<>();
            for (Document d : docs) {
                versions.add(TariffCodec.readVersion(toJson(d)));
            }
            return new TariffBook(versions);
        });
    }

    /** Adds {@code v}, or replaces the version with the same {@code validFrom}. */
    public Future<TariffBook> save(TariffVersion v) {
        return book().compose(current -> {
            TariffBook next = current.with(v);
            List<Future<?>> writes = new ArrayList<>();
            for (TariffVersion version : next.versions()) {
                Document d = Document.parse(TariffCodec.writeVersion(version).toString()).append(ID, version.validFrom().toString());
                writes.add(Mongo.first(db.getCollection(TARIFFS).replaceOne(Filters.eq(ID, version.validFrom().toString()), d,
                        new ReplaceOptions().upsert(true))));
            }
            return Future.all(writes).map(x -> next);
        });
    }

    /** Removes the version valid from {@code validFrom}; the last version cannot be removed. */
    public Future<TariffBook> remove(java.time.LocalDate validFrom) {
        return book().compose(current -> {
            List<TariffVersion> rest = current.versions().stream().filter(v -> !v.validFrom().equals(validFrom)).toList();
            if (rest.size() == current.versions().size()) {
                return Future.failedFuture(dev.ims.portal.web.HttpError.notFound("no tariff version valid from " + validFrom));
            }
            if (rest.isEmpty()) {
                return Future.failedFuture(dev.ims.portal.web.HttpError.badRequest("the last tariff version cannot be removed"));
            }
            TariffBook next = new TariffBook(rest);
            return save(rest.get(0)).compose(b -> Mongo.first(db.getCollection(TARIFFS).deleteOne(Filters.eq(ID, validFrom.toString()))))
                    .map(r -> next);
        });
    }

    private static JsonNode toJson(Document d) {
        Document copy = new Document(d);
        copy.remove(ID);
        try {
            return Json.mapper().readTree(copy.toJson());
        } catch (IOException e) {
            throw new TariffException("stored tariff version " + d.get(ID) + " is unreadable: " + e.getMessage());
        }
    }
}
