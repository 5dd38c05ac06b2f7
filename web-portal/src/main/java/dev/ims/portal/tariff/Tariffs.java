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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import org.bson.Document;

/**
 * The tariff in force, as versions in {@value dev.ims.model.storage.StoreSchema#TARIFFS} ({@code _id} =
 * the version's {@code validFrom}). Until staff save a version the configured book applies (from
 * {@code TARIFF_FILE}, or the flat {@code TARIFF_PRICE_PER_KWH}); the first saved version copies the
 * configured ones in, so that history keeps its prices. Costs are never stored: every cost is computed
 * from the versions when asked, so correcting a version re-prices exactly the days it covers.
 *
 * <p>Every usage figure and page prices with the book, so it is read once and kept for the cache's life
 * ({@code TARIFF_CACHE_SECONDS}); a save or a removal through this instance drops it at once, another portal instance's
 * change is seen within the life. A life of zero reads the store for every book. Thread-safe.
 */
public final class Tariffs {

    private final MongoDatabase db;
    private final TariffBook configured;
    private final long lifeNanos;
    private final LongSupplier nanoTime;
    private volatile Cached cached;

    /** A read (possibly still running) and when it began; a failed read is never served from the cache. */
    private record Cached(Future<TariffBook> book, long readAtNanos) {}

    /** Without a cache: every book is read from the store. */
    public Tariffs(MongoDatabase db, TariffBook configured) {
        this(db, configured, Duration.ZERO, System::nanoTime);
    }

    /** @param life how long a book read is used; zero: none is kept */
    public Tariffs(MongoDatabase db, TariffBook configured, Duration life) {
        this(db, configured, life, System::nanoTime);
    }

    Tariffs(MongoDatabase db, TariffBook configured, Duration life, LongSupplier nanoTime) {
        if (life.isNegative()) {
            throw new IllegalArgumentException("a negative cache life: " + life);
        }
        this.db = db;
        this.configured = configured;
        this.lifeNanos = life.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The book in force: the cached one while it is younger than the cache's life, else read. */
    public Future<TariffBook> book() {
        if (lifeNanos == 0) {
            return read();
        }
        Cached c = cached;
        long now = nanoTime.getAsLong();
        if (c != null && now - c.readAtNanos() < lifeNanos && !c.book().failed()) {
            return c.book();
        }
        Future<TariffBook> read = read();
        cached = new Cached(read, now);
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
            return Future.all(writes).map(x -> next);
        }).andThen(x -> invalidate());
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
                    .map(r -> next);
        }).andThen(x -> invalidate());
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
