package dev.ims.portal.store;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.nextHour;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.web.Mongo;
import dev.ims.store.BucketReadings;
import dev.ims.store.ReadingDocs;
import dev.ims.store.StoreLayout;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * A meter's readings from its hour buckets ({@code readings}), read by {@code _id $in} of the buckets a range covers,
 * a bounded number of hours at a time. A range without a start begins at the meter's first reading, one without an end
 * ends after its last ({@link StoredRange}), so no read walks hours that cannot hold data. Thread-safe; futures complete
 * on the caller's Vert.x context.
 */
public final class ReadingRepository {

    /**
     * Hours per read when walking back from the newest, at least: the first read covers the hours {@code limit} readings
     * of a one-minute meter fill ({@link #firstChunkHours}), doubling while too few readings were found.
     */
    static final int FIRST_CHUNK_HOURS = 1;
    /** The densest meters the first read is sized for: one reading a minute. */
    static final int READINGS_PER_HOUR = 60;
    /** At most this many hours per read (sparse data: a month of hourly readings in one {@code $in}). */
    static final int MAX_CHUNK_HOURS = 744;
    /** Hours per read of a stream, oldest first: a day (1 440 one-minute readings at most), so memory stays flat. */
    static final int STREAM_CHUNK_HOURS = 24;

    /**
     * How long after the meter document's last reading time a read without an end still looks up to now: a busy ingest
     * writes the meter document up to {@code INGEST_ROLLUP_DELAY_MS} after the readings' buckets (docs/CONTRACT.md, "How
     * fresh"), and a reading is to be seen as soon as it is in its bucket. A meter silent for longer is read up to its
     * last reading, as before, so its page does not walk empty hours.
     */
    static final java.time.Duration RECENT = java.time.Duration.ofHours(1);

    private final MongoDatabase db;
    private final UsageCalendar calendar;
    private final java.time.Clock clock;

    public ReadingRepository(MongoDatabase db, UsageCalendar calendar) {
        this(db, calendar, java.time.Clock.systemUTC());
    }

    public ReadingRepository(MongoDatabase db, UsageCalendar calendar, java.time.Clock clock) {
        this.db = db;
        this.calendar = calendar;
        this.clock = clock;
    }

    /**
     * The newest {@code limit} readings with {@code from <= ts < to}, newest first (ties by seq, highest first).
     *
     * @param from null: from the meter's first reading
     * @param to null: up to its last reading, included
     */
    public Future<List<StoredReading>> newest(String meterId, Instant from, Instant to, int limit) {
        return bounds(meterId, from, to).compose(b -> {
            List<StoredReading> out = new ArrayList<>();
            if (b == null || limit <= 0) {
                return Future.succeededFuture(out);
            }
            return walkBack(meterId, b[0], b[1], b[1], firstChunkHours(limit), limit, out);
        });
    }

    /** The first read's hours: as many as {@code limit} readings of a one-minute meter fill, one at least. */
    static int firstChunkHours(int limit) {
        return Math.max(FIRST_CHUNK_HOURS, Math.min(MAX_CHUNK_HOURS, (limit + READINGS_PER_HOUR - 1) / READINGS_PER_HOUR));
    }

    /**
     * Walks back from {@code end} one chunk of hours at a time, the chunk doubling while it yields too few, and stops once
     * {@code limit} readings are held: the chunks read so far hold the newest ones, since every older bucket starts earlier.
     */
    private Future<List<StoredReading>> walkBack(String meterId, Instant from, Instant to, Instant end, int hours, int limit,
            List<StoredReading> out) {
        if (!end.isAfter(from)) {
            return Future.succeededFuture(finish(out, limit));
        }
        Instant start = calendar.hourStart(calendar.hourStart(end.minusMillis(1)).minusSeconds(3600L * (hours - 1)));
        Instant chunkStart = start.isBefore(from) ? from : start;
        return read(hourBucketIds(meterId, chunkStart, end, calendar), from, to).compose(found -> {
            out.addAll(found);
            if (out.size() >= limit) {
                return Future.succeededFuture(finish(out, limit));
            }
            return walkBack(meterId, from, to, calendar.hourStart(chunkStart), Math.min(MAX_CHUNK_HOURS, hours * 2), limit, out);
        });
    }

    private static List<StoredReading> finish(List<StoredReading> out, int limit) {
        out.sort(StoredReading.OLDEST_FIRST.reversed());
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    /**
     * A cursor over the readings with {@code from <= ts < to}, oldest first, {@value #STREAM_CHUNK_HOURS} hours of
     * buckets per {@link Cursor#next()}.
     *
     * @param from null: from the meter's first reading
     * @param to null: up to its last reading, included
     */
    public Future<Cursor> stream(String meterId, Instant from, Instant to) {
        return bounds(meterId, from, to).map(b -> new Cursor(meterId, b));
    }

    /** Readings oldest first, a chunk at a time; not thread-safe (one consumer, one call at a time). */
    public final class Cursor {
        private final String meterId;
        private final Instant from;
        private final Instant to;
        private Instant next;

        Cursor(String meterId, Instant[] bounds) {
            this.meterId = meterId;
            this.from = bounds == null ? null : bounds[0];
            this.to = bounds == null ? null : bounds[1];
            this.next = from == null ? null : calendar.hourStart(from);
        }

        /** The next chunk's readings, oldest first; empty once every chunk was read (a chunk without readings is skipped). */
        public Future<List<StoredReading>> next() {
            if (next == null || !next.isBefore(to)) {
                return Future.succeededFuture(List.of());
            }
            Instant start = next;
            Instant end = start;
            for (int i = 0; i < STREAM_CHUNK_HOURS && end.isBefore(to); i++) {
                end = nextHour(end, calendar);
            }
            next = end;
            return read(hourBucketIds(meterId, start, end.isAfter(to) ? to : end, calendar), from, to).compose(found -> {
                found.sort(StoredReading.OLDEST_FIRST);
                return found.isEmpty() ? next() : Future.succeededFuture(found);
            });
        }
    }

    /** {from, to} clamped to the meter's stored readings, or null when the range holds none. */
    private Future<Instant[]> bounds(String meterId, Instant from, Instant to) {
        return StoredRange.of(db, meterId).map(r -> {
            if (r.isEmpty()) {
                return null;
            }
            Instant start = from == null || from.isBefore(r.first()) ? r.first() : from;
            Instant afterLast = r.last().plusMillis(1);
            Instant now = clock.instant();
            if (now.isAfter(afterLast) && !now.isAfter(r.last().plus(RECENT))) {
                afterLast = now.plusMillis(1); // readings already in their buckets, the meter document not yet written
            }
            Instant end = to == null || to.isAfter(afterLast) ? afterLast : to;
            return start.isBefore(end) ? new Instant[] {start, end} : null;
        });
    }

    /** The readings of the buckets {@code ids} with {@code from <= ts < to}, in no particular order. */
    private Future<List<StoredReading>> read(List<String> ids, Instant from, Instant to) {
        if (ids.isEmpty()) {
            return Future.succeededFuture(new ArrayList<>());
        }
        return Mongo.list(db.getCollection(READINGS).find(Filters.in(ID, ids))).map(buckets -> {
            List<StoredReading> out = new ArrayList<>();
            for (Document bucket : buckets) {
                for (Document d : BucketReadings.of(bucket)) {
                    Instant ts = d.getDate(TS).toInstant();
                    if (!ts.isBefore(from) && ts.isBefore(to)) {
                        out.add(new StoredReading(ReadingDocs.readingFrom(d, d.getString(METER_ID)), d.getDate(RECEIVED_AT).toInstant()));
                    }
                }
            }
            return out;
        });
    }

    /** The bucket ids of the hours from {@code from}'s to the one before {@code to} ({@link StoreLayout#hourBucketIds}). */
    private static List<String> hourBucketIds(String meterId, Instant from, Instant to, UsageCalendar calendar) {
        return StoreLayout.hourBucketIds(meterId, from, to, calendar);
    }
}
