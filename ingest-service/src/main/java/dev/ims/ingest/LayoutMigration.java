package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.ReadingDocs;
import dev.ims.store.StoreLayout;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Converts a store written by the ingest before issue 13 (one {@code readings} document per reading, unique on
 * {@code {meterId, seq}}; hourly and quarter-hour rollups in collections of their own) to the bucketed layout of
 * {@link StoreLayout}, at start, before any message is taken.
 *
 * <p>Steps, each safe to repeat, so a migration killed midway is finished by the next start: the old indexes of
 * {@code readings} are dropped (a bucket has no top-level {@code seq}: the unique index would refuse a meter's second
 * bucket); old documents (those with a top-level {@code seq}) are read in batches of {@link #DEFAULT_BATCH}, written
 * through {@link BatchWrites} (idempotent) and only then deleted by {@code _id}; then {@code rollups_hourly} and
 * {@code rollups_15min}, whose content the day documents now hold, are dropped. Each reading keeps the
 * {@code receivedAt} it was stored with ({@link BatchWrites} takes each reading's own), so a migrated reading is the
 * document it was, in its bucket.
 *
 * <p>An old document that cannot be read as a reading (never written by the ingest) is left where it is, counted and
 * logged. Not thread-safe: runs once, before the writer starts.
 */
final class LayoutMigration {

    private static final Logger LOG = LoggerFactory.getLogger(LayoutMigration.class);
    static final int DEFAULT_BATCH = 2_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** The old layout's readings: top-level {@code seq} (a bucket keeps its readings' seqs under {@code r}). */
    static final Bson OLD_READINGS = Filters.exists(SEQ);

    /** What a run did. */
    record Result(long migrated, long unreadable, int meters, long seconds) {}

    private final MongoDatabase db;
    private final UsageCalendar calendar;
    private final int batchSize;

    LayoutMigration(MongoDatabase db, UsageCalendar calendar, int batchSize) {
        this.db = db;
        this.calendar = calendar;
        this.batchSize = batchSize;
    }

    Result run() {
        long started = System.nanoTime();
        MongoCollection<Document> readings = db.getCollection(StoreLayout.READINGS);
        dropOldIndexes(readings);
        // One scan of the collection, once per start (the embedded store answers no other filter than _id's from an index).
        long total = Mono.from(readings.countDocuments(OLD_READINGS)).block(TIMEOUT);
        Set<String> meters = new HashSet<>();
        long migrated = 0;
        long unreadable = 0;
        if (total > 0) {
            LOG.info("Migrating {} readings to hour buckets (storage layout {}); the ingest starts when done", total, StoreLayout.VERSION);
            long nextReport = total / 10;
            BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
            // One cursor, a batch at a time (prefetch 1): a batch is written and its old documents deleted before the next.
            for (List<Document> batch : Flux.from(readings.find(OLD_READINGS).batchSize(batchSize)).buffer(batchSize).toIterable(1)) {
                List<Reading> converted = new ArrayList<>(batch.size());
                // Each reading's own receipt (identity: two equal readings may have been received twice).
                Map<Reading, Instant> receipts = new IdentityHashMap<>();
                List<Object> ids = new ArrayList<>(batch.size());
                for (Document d : batch) {
                    try {
                        Reading r = ReadingDocs.readingFrom(d, null);
                        receipts.put(r, d.getDate(RECEIVED_AT) != null ? d.getDate(RECEIVED_AT).toInstant() : r.ts());
                        converted.add(r);
                        ids.add(d.get(ID));
                        meters.add(r.meterId());
                    } catch (RuntimeException e) {
                        if (unreadable++ == 0) {
                            LOG.warn("Reading document {} cannot be migrated (left in place): {}", d.get(ID), e.toString());
                        }
                    }
                }
                if (!converted.isEmpty()) {
                    BatchWrites writes = BatchWrites.of(converted, calendar, receipts::get);
                    Mono.from(readings.bulkWrite(writes.buckets(), unordered)).block(TIMEOUT);
                    Mono.when(db.getCollection(StoreLayout.DAYS).bulkWrite(writes.days(), unordered),
                            db.getCollection(METERS).bulkWrite(writes.meters(), unordered)).block(TIMEOUT);
                    // Deleted only once stored: killed before this, the next start converts them again (idempotently).
                    Mono.from(readings.deleteMany(Filters.in(ID, ids))).block(TIMEOUT);
                }
                migrated += ids.size();
                if (migrated >= nextReport && migrated < total) {
                    LOG.info("Migrated {} of {} readings ({} %)", migrated, total, migrated * 100 / total);
                    nextReport = migrated + total / 10;
                }
            }
        }
        boolean dropped = dropOldRollups();
        long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
        if (total > 0) {
            LOG.info("Migrated {} readings of {} meter(s) to hour buckets in {} s{}", migrated, meters.size(), seconds,
                    unreadable > 0 ? "; " + unreadable + " documents could not be read and were left in readings" : "");
        } else if (dropped) {
            LOG.info("Dropped {} and {}: their content is in the day documents", HOURLY, QUARTER);
        }
        return new Result(migrated, unreadable, meters.size(), seconds);
    }

    /** Drops the old layout's indexes of {@code readings} (every one but {@code _id}'s: the new layout needs none). */
    private static void dropOldIndexes(MongoCollection<Document> readings) {
        for (Document index : Flux.from(readings.listIndexes()).collectList().block(TIMEOUT)) {
            Document key = index.get("key", Document.class);
            if (key != null && (key.containsKey(SEQ) || key.containsKey(TS))) {
                Mono.from(readings.dropIndex(index.getString("name"))).block(TIMEOUT);
                LOG.info("Dropped index {} of {} (the old one-document-per-reading layout's)", index.getString("name"), StoreLayout.READINGS);
            }
        }
    }

    /** Drops {@code rollups_hourly} and {@code rollups_15min} when they exist; whether any did. */
    private boolean dropOldRollups() {
        List<String> names = Flux.from(db.listCollectionNames()).collectList().block(TIMEOUT);
        boolean any = false;
        for (String old : List.of(HOURLY, QUARTER)) {
            if (names.contains(old)) {
                Mono.from(db.getCollection(old).drop()).block(TIMEOUT);
                any = true;
            }
        }
        return any;
    }
}
