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
 *
 * <p>Every usage figure and page prices with the book, so it is read once and kept for {@link #CACHE_TTL}; a save or a
 * removal through this instance drops it at once. Another portal instance's change is seen within {@link #CACHE_TTL}.
 */
public final class Tariffs {

    /** How long a book read from the store is used before it is read again. */
    public static final java.time.Duration CACHE_TTL = java.time.Duration.ofSeconds(30);

    private final MongoDatabase db;
    private final TariffBook configured;
    private final long ttlNanos;
    private final java.util.function.LongSupplier nanoTime;
    private volatile Cached cached;

    private record Cached(Future<TariffBook> book, long readAtNanos) {}

    public Tariffs(MongoDatabase db, TariffBook configured) {
        this(db, configured, CACHE_TTL, System::nanoTime);
    }

    Tariffs(MongoDatabase db, TariffBook configured, java.time.Duration ttl, java.util.function.LongSupplier nanoTime) {
        this.db = db;
        this.configured = configured;
        this.ttlNanos = ttl.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The book in force: the cached one while it is younger than the cache's life, else read (a failed read is not kept). */
    public Future<TariffBook> book() {
        Cached c = cached;
        if (c != null && nanoTime.getAsLong() - c.readAtNanos() < ttlNanos && !c.book().failed()) {
            return c.book();
        }
        Future<TariffBook> read = read();
        cached = new Cached(read, nanoTime.getAsLong());
        return read;
    }

    private void invalidate() {
        cached = null;
    }

    private Future<TariffBook> read() {
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
        invalidate();
        return read().compose(current -> {
            TariffBook next = current.with(v);
            List<Future<?>> writes = new ArrayList<>();
            for (TariffVersion version : next.versions()) {
                Document d = Document.parse(TariffCodec.writeVersion(version).toString()).append(ID, version.validFrom().toString());
                writes.add(Mongo.first(db.getCollection(TARIFFS).replaceOne(Filters.eq(ID, version.validFrom().toString()), d,
                        new ReplaceOptions().upsert(true))));
            }
            return Future.all(writes).map(x -> next).andThen(x -> invalidate());
        });
    }

    /** Removes the version valid from {@code validFrom}; the last version cannot be removed. */
    public Future<TariffBook> remove(java.time.LocalDate validFrom) {
        invalidate();
        return read().compose(current -> {
            List<TariffVersion> rest = current.versions().stream().filter(v -> !v.validFrom().equals(validFrom)).toList();
            if (rest.size() == current.versions().size()) {
                return Future.failedFuture(dev.ims.portal.web.HttpError.notFound("no tariff version valid from " + validFrom));
            }
            if (rest.isEmpty()) {
                return Future.failedFuture(dev.ims.portal.web.HttpError.badRequest("the last tariff version cannot be removed"));
            }
            TariffBook next = new TariffBook(rest);
            return save(rest.get(0)).compose(b -> Mongo.first(db.getCollection(TARIFFS).deleteOne(Filters.eq(ID, validFrom.toString()))))
                    .map(r -> next).andThen(x -> invalidate());
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
