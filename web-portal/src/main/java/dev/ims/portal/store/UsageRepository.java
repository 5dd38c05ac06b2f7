package dev.ims.portal.store;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.DAYS;
import static dev.ims.store.StoreLayout.dayIds;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.storage.StoreSchema;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.web.Mongo;
import dev.ims.store.DaySummary;
import dev.ims.store.SeqGaps;
import dev.ims.store.StoreLayout;
import io.vertx.core.Future;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * A meter's day documents ({@code rollups_daily}): the register ranges of its days, hours and quarter hours, and its
 * seqs. Reads only by {@code _id $in} of the days asked for, with a projection of the part the caller needs, and
 * returns {@link DaySummary}s (only the parts projected are filled in). Thread-safe; futures complete on the caller's
 * Vert.x context.
 */
public final class UsageRepository {

    /** What of a day document a read returns besides the day's import register range (always read). */
    public enum Part {
        /** The day's ranges only: daily and monthly figures, the register before a range. */
        DAY,
        /** With the hours' ranges ({@code h}): hourly units, prices per hour, circuits per hour. */
        HOURS,
        /** With the quarter hours' ranges ({@code q}) and none of the day's other fields: peak demand. */
        QUARTERS,
        /** With the seq flags ({@code s}) and none of the day's other fields: the gap report. */
        SEQS;

        Bson projection() {
            List<String> fields = new ArrayList<>(List.of(METER_ID, StoreSchema.DAY, MIN_KWH, MAX_KWH));
            switch (this) {
                case DAY -> fields.addAll(DAY_FIELDS);
                case HOURS -> {
                    fields.addAll(DAY_FIELDS);
                    fields.add(StoreLayout.HOURS);
                }
                case QUARTERS -> fields.add(StoreLayout.QUARTERS);
                case SEQS -> fields.add(StoreLayout.SEQ_BITS);
            }
            return Projections.include(fields);
        }
    }

    /** The day's own fields besides its import register range. */
    private static final List<String> DAY_FIELDS = List.of(FIRST_TS, LAST_TS, MIN_EXPORT_KWH, MAX_EXPORT_KWH, CIRCUITS);

    /** Day ids per query: a month, so a look-back finds the usual case (yesterday) in one small read. */
    public static final int LOOK_BACK_DAYS = 31;
    /** Day ids per query of a range: a year's ids in one {@code $in}. */
    static final int RANGE_CHUNK_DAYS = 366;

    private final MongoDatabase db;
    private final UsageCalendar calendar;

    public UsageRepository(MongoDatabase db, UsageCalendar calendar) {
        this.db = db;
        this.calendar = calendar;
    }

    public UsageCalendar calendar() {
        return calendar;
    }

    /** The meter's oldest and newest reading time stored. */
    public Future<StoredRange> range(String meterId) {
        return StoredRange.of(db, meterId);
    }

    /** The days {@code from..to} (both included) that have data, oldest first. */
    public Future<List<DaySummary>> days(String meterId, LocalDate from, LocalDate to, Part part) {
        if (to.isBefore(from)) {
            return Future.succeededFuture(List.of());
        }
        List<Future<List<DaySummary>>> chunks = new ArrayList<>();
        for (LocalDate start = from; !start.isAfter(to); start = start.plusDays(RANGE_CHUNK_DAYS)) {
            LocalDate end = start.plusDays(RANGE_CHUNK_DAYS - 1L);
            chunks.add(read(dayIds(meterId, start, end.isAfter(to) ? to : end), part));
        }
        return Future.all(chunks).map(all -> {
            List<DaySummary> out = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i++) {
                out.addAll(all.<List<DaySummary>>resultAt(i));
            }
            return out;
        });
    }

    /**
     * The newest day before {@code day} that has data and satisfies {@code wanted}, or null: looks back
     * {@value #LOOK_BACK_DAYS} day ids at a time, no further than the day of the meter's first reading.
     */
    public Future<DaySummary> lastDayBefore(String meterId, LocalDate day, Part part, Predicate<DaySummary> wanted) {
        return range(meterId).compose(r -> r.isEmpty() ? Future.succeededFuture(null)
                : lookBack(meterId, day.minusDays(1), calendar.dayOf(r.first()), part, wanted));
    }

    private Future<DaySummary> lookBack(String meterId, LocalDate last, LocalDate firstDay, Part part, Predicate<DaySummary> wanted) {
        if (last.isBefore(firstDay)) {
            return Future.succeededFuture(null);
        }
        LocalDate start = last.minusDays(LOOK_BACK_DAYS - 1L);
        LocalDate from = start.isBefore(firstDay) ? firstDay : start;
        return read(dayIds(meterId, from, last), part).compose(days -> {
            for (int i = days.size() - 1; i >= 0; i--) {
                if (wanted.test(days.get(i))) {
                    return Future.succeededFuture(days.get(i));
                }
            }
            return lookBack(meterId, from.minusDays(1), firstDay, part, wanted);
        });
    }

    /**
     * The missing seq ranges of the meter's whole history (at most {@code max}), from the seq flags of its day documents
     * between its first and last reading, read a year of days at a time.
     */
    public Future<SeqGaps.Result> gaps(String meterId, int max) {
        return range(meterId).compose(r -> {
            if (r.isEmpty()) {
                return Future.succeededFuture(new SeqGaps.Result(List.of(), false));
            }
            return collectGaps(meterId, calendar.dayOf(r.first()), calendar.dayOf(r.last()), new SeqGaps()).map(g -> g.gaps(max));
        });
    }

    private Future<SeqGaps> collectGaps(String meterId, LocalDate from, LocalDate last, SeqGaps gaps) {
        if (from.isAfter(last)) {
            return Future.succeededFuture(gaps);
        }
        LocalDate end = from.plusDays(RANGE_CHUNK_DAYS - 1L);
        LocalDate to = end.isAfter(last) ? last : end;
        return read(dayIds(meterId, from, to), Part.SEQS).compose(days -> {
            days.forEach(d -> gaps.add(d.seqBits()));
            return collectGaps(meterId, to.plusDays(1), last, gaps);
        });
    }

    /**
     * The days {@code from..to} of every meter but {@code meterId} (the fleet a meter is compared with), with the days'
     * register ranges only, by meter ID.
     */
    public Future<Map<String, List<DaySummary>>> fleetDays(String meterId, LocalDate from, LocalDate to) {
        return Mongo.list(db.getCollection(METERS).find().projection(Projections.include(ID))).compose(meters -> {
            List<String> ids = new ArrayList<>();
            for (Document m : meters) {
                if (m.get(ID) instanceof String id && !id.equals(meterId)) {
                    ids.addAll(dayIds(id, from, to));
                }
            }
            return ids.isEmpty() ? Future.succeededFuture(List.<DaySummary>of())
                    : read(ids, Projections.include(METER_ID, DAY, MIN_KWH, MAX_KWH));
        }).map(days -> {
            Map<String, List<DaySummary>> out = new TreeMap<>();
            days.forEach(d -> out.computeIfAbsent(d.meterId(), k -> new ArrayList<>()).add(d));
            return out;
        });
    }

    private Future<List<DaySummary>> read(List<String> ids, Part part) {
        return read(ids, part.projection());
    }

    private Future<List<DaySummary>> read(List<String> ids, Bson projection) {
        return Mongo.list(db.getCollection(DAYS).find(Filters.in(ID, ids)).projection(projection)).map(docs -> {
            List<DaySummary> out = new ArrayList<>(docs.size());
            for (Document d : docs) {
                if (d.get(MIN_KWH) instanceof Number && d.getString(DAY) != null) {
                    out.add(DaySummary.from(d));
                }
            }
            out.sort(Comparator.comparing(DaySummary::day));
            return out;
        });
    }
}
