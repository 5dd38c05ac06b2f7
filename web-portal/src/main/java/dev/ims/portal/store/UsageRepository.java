package dev.ims.portal.store;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.DAYS;
import static dev.ims.store.StoreLayout.FIRST_READING_TS;
import static dev.ims.store.StoreLayout.LAST_READING_TS;
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
import java.util.Optional;
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
    /** Null: every read goes to the store. */
    private final DayCache cache;

    /** Without a cache: every read goes to the store. */
    public UsageRepository(MongoDatabase db, UsageCalendar calendar) {
        this(db, calendar, 0);
    }

    /**
     * @param cacheDays decoded days kept in memory at most ({@link DayCache}; the seq flags of the gap report are never
     *     kept); 0: none
     */
    public UsageRepository(MongoDatabase db, UsageCalendar calendar, int cacheDays) {
        this.db = db;
        this.calendar = calendar;
        this.cache = cacheDays > 0 ? new DayCache(cacheDays) : null;
    }

    /** Counts the cache's hits and misses in {@code registry} (nothing without a cache). */
    public UsageRepository withMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        if (cache != null) {
            cache.bindTo(registry);
        }
        return this;
    }

    public UsageCalendar calendar() {
        return calendar;
    }

    /**
     * What a read needs of the meter document: the range of its readings and the version its kept days are valid for.
     *
     * @param version null when the meter has no document (nothing is kept for it)
     */
    private record MeterState(StoredRange range, DayCache.Version version) {

        static MeterState of(Document meter) {
            return meter == null ? new MeterState(StoredRange.NONE, null) : new MeterState(StoredRange.from(meter),
                    new DayCache.Version(meter.get(LAST_SEEN), meter.get(LAST_SEQ), meter.get(FIRST_READING_TS), meter.get(LAST_READING_TS),
                            meter.get(REV)));
        }
    }

    /**
     * A meter as the reads of one request see it: its meter document's state is read once (or taken from the meter
     * document the request has just read) and shared by them. Every read sees days at least as new as that state.
     * Thread-safe.
     */
    public final class Meter {
        private final String id;
        private Future<MeterState> state;

        private Meter(String id, Future<MeterState> state) {
            this.id = id;
            this.state = state;
        }

        public String id() {
            return id;
        }

        synchronized Future<MeterState> state() {
            if (state == null) {
                state = readState(id);
            }
            return state;
        }
    }

    /** The meter {@code meterId}; its document is read when a read first needs it. */
    public Meter meter(String meterId) {
        return new Meter(meterId, null);
    }

    /**
     * The meter of {@code meterDocument}, a whole meter document the caller has just read: not read again when it holds
     * the reading range (a document without one, or a partial one, is read when a read needs it).
     */
    public Meter meter(Document meterDocument) {
        String id = meterDocument.getString(ID);
        return meterDocument.get(FIRST_READING_TS) == null ? meter(id) : new Meter(id, Future.succeededFuture(MeterState.of(meterDocument)));
    }

    /** Reads the meter's state: one document by {@code _id}, four fields. */
    private Future<MeterState> readState(String meterId) {
        return Mongo.first(db.getCollection(METERS).find(Filters.eq(ID, meterId))
                        .projection(Projections.include(FIRST_READING_TS, LAST_READING_TS, LAST_SEEN, LAST_SEQ, REV)))
                .map(MeterState::of);
    }

    /** The meter's oldest and newest reading time stored. */
    public Future<StoredRange> range(String meterId) {
        return readState(meterId).map(MeterState::range);
    }

    /** The days {@code from..to} (both included) that have data, oldest first. */
    public Future<List<DaySummary>> days(String meterId, LocalDate from, LocalDate to, Part part) {
        return days(meter(meterId), from, to, part);
    }

    /** The days {@code from..to} (both included) that have data, oldest first. */
    public Future<List<DaySummary>> days(Meter meter, LocalDate from, LocalDate to, Part part) {
        if (to.isBefore(from)) {
            return Future.succeededFuture(List.of());
        }
        if (cache == null || part == Part.SEQS) {
            return readRange(meter.id(), from, to, part);
        }
        return meter.state().compose(st -> days(st, meter.id(), from, to, part));
    }

    /**
     * The days {@code from..to} with data: from the cache when it has them under the meter's current version, else read
     * (and kept). Only the days between the meter's first and last reading can have data, so no others are read.
     */
    private Future<List<DaySummary>> days(MeterState st, String meterId, LocalDate from, LocalDate to, Part part) {
        if (cache == null || part == Part.SEQS || st.version() == null || st.range().isEmpty()) {
            return readRange(meterId, from, to, part);
        }
        LocalDate first = calendar.dayOf(st.range().first());
        LocalDate last = calendar.dayOf(st.range().last());
        LocalDate start = from.isBefore(first) ? first : from;
        LocalDate end = to.isAfter(last) ? last : to;
        if (end.isBefore(start)) {
            return Future.succeededFuture(List.of());
        }
        DayCache.MeterDays kept = cache.current(meterId, st.version());
        Map<LocalDate, Optional<DaySummary>> known = kept.part(part);
        List<LocalDate> missing = new ArrayList<>();
        int all = 0;
        for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
            all++;
            if (!known.containsKey(d)) {
                missing.add(d);
            }
        }
        cache.counted(all - missing.size(), missing.size());
        Future<Void> filled = Future.succeededFuture();
        if (!missing.isEmpty()) {
            List<String> ids = new ArrayList<>(missing.size());
            missing.forEach(d -> ids.add(StoreLayout.dayId(meterId, d)));
            filled = readIds(ids, part).map(read -> {
                int added = 0;
                for (DaySummary s : read) {
                    Optional<DaySummary> day = Optional.of(s);
                    if (known.put(s.day(), day) == null) {
                        added += DayCache.weight(day);
                    }
                }
                for (LocalDate d : missing) {
                    if (known.putIfAbsent(d, Optional.empty()) == null) {
                        added += 1;
                    }
                }
                kept.addWeight(added);
                cache.grown(meterId, kept);
                return null;
            });
        }
        return filled.map(v -> {
            List<DaySummary> out = new ArrayList<>();
            for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
                Optional<DaySummary> s = known.get(d);
                if (s != null && s.isPresent()) {
                    out.add(s.get());
                }
            }
            return out;
        });
    }

    /**
     * A figure computed from the meter's days: the one kept under the meter's current version for {@code key} (also while
     * it is still being computed), else {@code compute}'s, kept (unless it fails). Without a cache, always computed.
     *
     * @param key what was asked, with everything besides the meter's days the figure depends on (e.g. the tariff book
     *     and today); compared with {@code equals}
     * @param weight the figure's memory in days' worth (it counts against {@code USAGE_CACHE_DAYS})
     * @param compute computes the figure (it may read the days again: they are as new as the version or newer)
     */
    @SuppressWarnings("unchecked")
    public <T> Future<T> derived(Meter meter, Object key, java.util.function.ToIntFunction<T> weight, java.util.function.Supplier<Future<T>> compute) {
        if (cache == null) {
            return compute.get();
        }
        String meterId = meter.id();
        return meter.state().compose(st -> {
            if (st.version() == null) {
                return compute.get();
            }
            DayCache.MeterDays kept = cache.current(meterId, st.version());
            Future<?> known = kept.derived.get(key);
            if (known != null && !known.failed()) {
                cache.countedFigure(true);
                return (Future<T>) known;
            }
            cache.countedFigure(false);
            Future<T> made = compute.get();
            kept.derived.put(key, made);
            made.onComplete(r -> {
                if (r.failed()) {
                    kept.derived.remove(key, made);
                } else {
                    kept.addWeight(weight.applyAsInt(r.result()));
                    cache.grown(meterId, kept);
                }
            });
            return made;
        });
    }

    /** Reads the days {@code from..to} from the store, a year of ids per query. */
    private Future<List<DaySummary>> readRange(String meterId, LocalDate from, LocalDate to, Part part) {
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

    /** Reads the day documents of {@code ids}, {@value #RANGE_CHUNK_DAYS} per query. */
    private Future<List<DaySummary>> readIds(List<String> ids, Part part) {
        List<Future<List<DaySummary>>> chunks = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += RANGE_CHUNK_DAYS) {
            chunks.add(read(ids.subList(i, Math.min(ids.size(), i + RANGE_CHUNK_DAYS)), part));
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
        return lastDayBefore(meter(meterId), day, part, wanted);
    }

    /** {@link #lastDayBefore(String, LocalDate, Part, Predicate)} of a meter whose state may be known already. */
    public Future<DaySummary> lastDayBefore(Meter meter, LocalDate day, Part part, Predicate<DaySummary> wanted) {
        return meter.state().compose(st -> st.range().isEmpty() ? Future.succeededFuture(null)
                : lookBack(st, meter.id(), day.minusDays(1), calendar.dayOf(st.range().first()), part, wanted));
    }

    private Future<DaySummary> lookBack(MeterState st, String meterId, LocalDate last, LocalDate firstDay, Part part,
            Predicate<DaySummary> wanted) {
        if (last.isBefore(firstDay)) {
            return Future.succeededFuture(null);
        }
        LocalDate start = last.minusDays(LOOK_BACK_DAYS - 1L);
        LocalDate from = start.isBefore(firstDay) ? firstDay : start;
        return days(st, meterId, from, last, part).compose(days -> {
            for (int i = days.size() - 1; i >= 0; i--) {
                if (wanted.test(days.get(i))) {
                    return Future.succeededFuture(days.get(i));
                }
            }
            return lookBack(st, meterId, from.minusDays(1), firstDay, part, wanted);
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
        return fleetDays(from, to).map(all -> {
            Map<String, List<DaySummary>> out = new TreeMap<>(all);
            out.remove(meterId);
            return out;
        });
    }

    /**
     * The days {@code from..to} of every meter, with the days' register ranges only, by meter ID: a year of ids per
     * query, one query after the other (a fleet's worth of ids must not flood the store's connections).
     */
    public Future<Map<String, List<DaySummary>>> fleetDays(LocalDate from, LocalDate to) {
        return Mongo.list(db.getCollection(METERS).find().projection(Projections.include(ID))).compose(meters -> {
            List<String> ids = new ArrayList<>();
            for (Document m : meters) {
                if (m.get(ID) instanceof String id) {
                    ids.addAll(dayIds(id, from, to));
                }
            }
            return readInTurn(ids, 0, Projections.include(METER_ID, DAY, MIN_KWH, MAX_KWH), new ArrayList<>());
        }).map(days -> {
            Map<String, List<DaySummary>> out = new TreeMap<>();
            days.forEach(d -> out.computeIfAbsent(d.meterId(), k -> new ArrayList<>()).add(d));
            out.values().forEach(l -> l.sort(Comparator.comparing(DaySummary::day)));
            return out;
        });
    }

    private Future<List<DaySummary>> readInTurn(List<String> ids, int from, Bson projection, List<DaySummary> into) {
        if (from >= ids.size()) {
            return Future.succeededFuture(into);
        }
        int to = Math.min(ids.size(), from + RANGE_CHUNK_DAYS);
        return read(ids.subList(from, to), projection).compose(days -> {
            into.addAll(days);
            return readInTurn(ids, to, projection, into);
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
