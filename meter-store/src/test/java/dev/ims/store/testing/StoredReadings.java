package dev.ims.store.testing;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BucketReadings;
import dev.ims.store.StoreLayout;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.bson.Document;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the store holds for a meter, for tests: its readings flattened out of its hour buckets (the shape of a stored
 * reading: {@code meterId}, {@code seq}, {@code ts}, ..., {@code receivedAt}) and the summaries of its days, hours and
 * quarter hours. Reads buckets by {@code meterId} (a scan of the collection: fine in a test, never in production code).
 */
public final class StoredReadings {

    private StoredReadings() {}

    /** The meter's stored readings, in seq order (a seq stored twice, in two buckets, shows twice). */
    public static List<Document> of(MongoDatabase db, String meterId) {
        List<Document> out = new ArrayList<>();
        for (Document bucket : Flux.from(db.getCollection(StoreLayout.READINGS).find(Filters.eq(METER_ID, meterId))).collectList().block()) {
            out.addAll(BucketReadings.of(bucket));
        }
        out.sort(Comparator.comparingLong(d -> ((Number) d.get(SEQ)).longValue()));
        return out;
    }

    /** How many readings the meter has stored (each copy counted: a seq stored twice counts twice). */
    public static long count(MongoDatabase db, String meterId) {
        return of(db, meterId).size();
    }

    /** How many readings these meters have stored together. */
    public static long count(MongoDatabase db, Collection<String> meterIds) {
        long n = 0;
        for (Document bucket : Flux.from(db.getCollection(StoreLayout.READINGS).find(Filters.in(METER_ID, meterIds))).collectList().block()) {
            n += BucketReadings.of(bucket).size();
        }
        return n;
    }

    /** The meter's stored reading with {@code seq}, or null; fails when the seq is stored more than once. */
    public static Document one(MongoDatabase db, String meterId, long seq) {
        List<Document> found = of(db, meterId).stream().filter(d -> ((Number) d.get(SEQ)).longValue() == seq).toList();
        if (found.size() > 1) {
            throw new AssertionError("seq " + seq + " of " + meterId + " is stored " + found.size() + " times: " + found);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    /** The meter's day document, or null. */
    public static Document day(MongoDatabase db, String meterId, LocalDate day) {
        return Mono.from(db.getCollection(StoreLayout.DAYS).find(Filters.eq(ID, StoreLayout.dayId(meterId, day))).first()).block();
    }

    /** The summary of the local hour starting at {@code hourStart} ({@code minKwh}, {@code maxKwh}, export and circuit ranges), or null. */
    public static Document hour(MongoDatabase db, String meterId, Instant hourStart, UsageCalendar calendar) {
        return span(db, meterId, StoreLayout.HOURS, calendar.hourStart(hourStart), calendar);
    }

    /** The summary of the local quarter hour starting at {@code quarterStart} ({@code minKwh}, {@code maxKwh}, export ranges), or null. */
    public static Document quarter(MongoDatabase db, String meterId, Instant quarterStart, UsageCalendar calendar) {
        return span(db, meterId, StoreLayout.QUARTERS, calendar.quarterStart(quarterStart), calendar);
    }

    private static Document span(MongoDatabase db, String meterId, String kind, Instant start, UsageCalendar calendar) {
        Document day = day(db, meterId, calendar.dayOf(start));
        Document spans = day == null ? null : day.get(kind, Document.class);
        return spans == null ? null : spans.get(StoreLayout.spanKey(start), Document.class);
    }
}
