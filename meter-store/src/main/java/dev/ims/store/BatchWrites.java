package dev.ims.store;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.bson.Document;
import org.bson.conversions.Bson;

/**
 * The writes that store a batch of readings: one upsert per hour bucket touched ({@code readings}), one per
 * day touched ({@code rollups_daily}: the day's, hours' and quarter hours' register ranges and the seq bitmap)
 * and one per meter. Each filters on {@code _id} alone (any store answers it from its primary key) and is
 * idempotent ({@code $min} of a reading under its seq, {@code $min}, {@code $max}), so a
 * batch applied twice, or a reading redelivered after a crash, leaves the same documents. Pure; thread-safe.
 *
 * @param buckets for {@link StoreLayout#READINGS}
 * @param days for {@link StoreLayout#DAYS}
 * @param meters for {@code meters}
 */
public record BatchWrites(List<WriteModel<Document>> buckets, List<WriteModel<Document>> days, List<WriteModel<Document>> meters) {

    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    /** The writes for {@code readings} (valid, in any order, of any meters), received at {@code receivedAt}. */
    public static BatchWrites of(List<Reading> readings, UsageCalendar calendar, Instant receivedAt) {
        return of(readings, calendar, r -> receivedAt);
    }

    /**
     * The writes for {@code readings}, each received at {@code receivedAt.apply(reading)}: for readings received at
     * different times and written together (a migration keeping each reading's receipt).
     */
    public static BatchWrites of(List<Reading> readings, UsageCalendar calendar, Function<Reading, Instant> receivedAt) {
        return of(readings, calendar, receivedAt, true, true);
    }

    /** Only the bucket writes of {@code readings} ({@link #days()} and {@link #meters()} empty): for a writer that rolls up later. */
    public static BatchWrites bucketsOf(List<Reading> readings, UsageCalendar calendar, Instant receivedAt) {
        return of(readings, calendar, r -> receivedAt, true, false);
    }

    /** Only the day and meter writes of {@code readings}, whose buckets are written ({@link #buckets()} empty). */
    public static BatchWrites rollupsOf(List<Reading> readings, UsageCalendar calendar, Function<Reading, Instant> receivedAt) {
        return of(readings, calendar, receivedAt, false, true);
    }

    private static BatchWrites of(List<Reading> readings, UsageCalendar calendar, Function<Reading, Instant> receivedAt, boolean withBuckets,
            boolean withRollups) {
        Map<String, List<Reading>> byBucket = new LinkedHashMap<>();
        Map<String, Day> byDay = new LinkedHashMap<>();
        for (Reading r : readings) {
            Instant hour = calendar.hourStart(r.ts());
            if (withBuckets) {
                byBucket.computeIfAbsent(hourBucketId(r.meterId(), hour), k -> new ArrayList<>()).add(r);
            }
            if (withRollups) {
                LocalDate day = calendar.dayOf(r.ts());
                byDay.computeIfAbsent(dayId(r.meterId(), day), k -> new Day(r.meterId(), day)).add(r, hour, calendar.quarterStart(r.ts()));
            }
        }
        List<WriteModel<Document>> buckets = new ArrayList<>(byBucket.size());
        byBucket.forEach((id, list) -> buckets.add(bucket(id, list, calendar, receivedAt)));
        List<WriteModel<Document>> days = new ArrayList<>(byDay.size());
        byDay.forEach((id, d) -> days.add(new UpdateOneModel<>(Filters.eq(ID, id), d.update(calendar), UPSERT)));
        return new BatchWrites(buckets, days, withRollups ? meters(readings, receivedAt) : List.of());
    }

    private static WriteModel<Document> bucket(String id, List<Reading> readings, UsageCalendar calendar, Function<Reading, Instant> receivedAt) {
        Reading first = readings.get(0);
        Instant hour = calendar.hourStart(first.ts());
        long minSeq = Long.MAX_VALUE;
        long maxSeq = Long.MIN_VALUE;
        // One $set per seq: a seq twice in one batch (a redelivery beside its original) is set once, the first value.
        Map<Long, Reading> bySeq = new LinkedHashMap<>();
        for (Reading r : readings) {
            bySeq.putIfAbsent(r.seq(), r);
            minSeq = Math.min(minSeq, r.seq());
            maxSeq = Math.max(maxSeq, r.seq());
        }
        List<Bson> update = new ArrayList<>(bySeq.size() + 5);
        update.add(Updates.setOnInsert(METER_ID, first.meterId()));
        update.add(Updates.setOnInsert(HOUR, Date.from(hour)));
        update.add(Updates.setOnInsert(DAY, calendar.dayOf(first.ts()).toString()));
        update.add(Updates.min(MIN_SEQ, minSeq));
        update.add(Updates.max(MAX_SEQ, maxSeq));
        // $min on the whole reading: documents compare field by field and a redelivered reading differs from the stored
        // one only in receivedAt (the last common field), so the first receipt stays; a conflicting value never gets here
        // (the ingest refuses it before writing).
        bySeq.forEach((seq, r) -> update.add(Updates.min(READINGS_BY_SEQ + "." + seq, ReadingDocs.inBucket(r, receivedAt.apply(r)))));
        return new UpdateOneModel<>(Filters.eq(ID, id), Updates.combine(update), UPSERT);
    }

    /**
     * One upsert per meter: first/last seen, the oldest and newest reading time, and the latest reading only if it is
     * newer than the stored one: {@code $max} on {@code lastSeq} and on {@code latest}, whose first field is {@code
     * seq} (documents compare field by field), so replays and out-of-order deliveries never move it back.
     */
    static List<WriteModel<Document>> meters(List<Reading> readings, Function<Reading, Instant> receivedAt) {
        Map<String, Reading[]> range = new LinkedHashMap<>();
        Map<String, Instant[]> seen = new LinkedHashMap<>();
        for (Reading r : readings) {
            Instant at = receivedAt.apply(r);
            Instant[] s = seen.computeIfAbsent(r.meterId(), k -> new Instant[] {at, at});
            s[0] = at.isBefore(s[0]) ? at : s[0];
            s[1] = at.isAfter(s[1]) ? at : s[1];
            Reading[] m = range.computeIfAbsent(r.meterId(), k -> new Reading[] {r, r, r});
            if (r.seq() > m[0].seq()) {
                m[0] = r;
            }
            if (r.ts().isBefore(m[1].ts())) {
                m[1] = r;
            }
            if (r.ts().isAfter(m[2].ts())) {
                m[2] = r;
            }
        }
        List<WriteModel<Document>> out = new ArrayList<>(range.size());
        range.forEach((id, m) -> out.add(new UpdateOneModel<>(Filters.eq(ID, id), Updates.combine(
                Updates.min(FIRST_SEEN, Date.from(seen.get(id)[0])),
                Updates.max(LAST_SEEN, Date.from(seen.get(id)[1])),
                Updates.min(FIRST_READING_TS, Date.from(m[1].ts())),
                Updates.max(LAST_READING_TS, Date.from(m[2].ts())),
                Updates.max(LAST_SEQ, m[0].seq()),
                // Not idempotent, on purpose: a retried write only moves it once more, and readers need a change, not a count.
                Updates.inc(REV, 1L),
                Updates.max(LATEST, ReadingDocs.inBucket(m[0], receivedAt.apply(m[0])))), UPSERT)));
        return out;
    }

    /** Register ranges of one span (a day, an hour, a quarter hour) over the batch's readings in it. */
    private static final class Range {
        double minKwh = Double.MAX_VALUE;
        double maxKwh = -Double.MAX_VALUE;
        double minExportKwh = Double.MAX_VALUE;
        double maxExportKwh = -Double.MAX_VALUE;
        Instant firstTs = Instant.MAX;
        Instant lastTs = Instant.MIN;
        /** Per circuit ID: {min, max} of its register. */
        final Map<String, double[]> circuits = new TreeMap<>();

        void add(Reading r, boolean withCircuits) {
            minKwh = Math.min(minKwh, r.energyKwh());
            maxKwh = Math.max(maxKwh, r.energyKwh());
            if (r.exportKwh() != null) {
                minExportKwh = Math.min(minExportKwh, r.exportKwh());
                maxExportKwh = Math.max(maxExportKwh, r.exportKwh());
            }
            if (withCircuits) {
                for (CircuitReading c : r.circuits()) {
                    double[] cr = circuits.computeIfAbsent(c.id(), k -> new double[] {Double.MAX_VALUE, -Double.MAX_VALUE});
                    cr[0] = Math.min(cr[0], c.energyKwh());
                    cr[1] = Math.max(cr[1], c.energyKwh());
                }
            }
            firstTs = r.ts().isBefore(firstTs) ? r.ts() : firstTs;
            lastTs = r.ts().isAfter(lastTs) ? r.ts() : lastTs;
        }

        /** The $min/$max updates of this range under {@code prefix} ("" for the document's top level). */
        void updates(String prefix, List<Bson> out, boolean times) {
            out.add(Updates.min(prefix + MIN_KWH, minKwh));
            out.add(Updates.max(prefix + MAX_KWH, maxKwh));
            if (times) {
                out.add(Updates.min(prefix + FIRST_TS, Date.from(firstTs)));
                out.add(Updates.max(prefix + LAST_TS, Date.from(lastTs)));
            }
            if (maxExportKwh >= minExportKwh) {
                out.add(Updates.min(prefix + MIN_EXPORT_KWH, minExportKwh));
                out.add(Updates.max(prefix + MAX_EXPORT_KWH, maxExportKwh));
            }
            circuits.forEach((circuit, cr) -> {
                out.add(Updates.min(prefix + CIRCUITS + "." + circuit + "." + MIN_KWH, cr[0]));
                out.add(Updates.max(prefix + CIRCUITS + "." + circuit + "." + MAX_KWH, cr[1]));
            });
        }
    }

    private static final class Day {
        final String meterId;
        final LocalDate day;
        final Range whole = new Range();
        final Map<Instant, Range> hours = new TreeMap<>();
        final Map<Instant, Range> quarters = new TreeMap<>();
        final java.util.Set<Long> seqs = new java.util.TreeSet<>();

        Day(String meterId, LocalDate day) {
            this.meterId = meterId;
            this.day = day;
        }

        void add(Reading r, Instant hour, Instant quarter) {
            whole.add(r, true);
            hours.computeIfAbsent(hour, k -> new Range()).add(r, true);
            quarters.computeIfAbsent(quarter, k -> new Range()).add(r, false);
            seqs.add(r.seq());
        }

        Bson update(UsageCalendar calendar) {
            List<Bson> out = new ArrayList<>();
            out.add(Updates.setOnInsert(METER_ID, meterId));
            out.add(Updates.setOnInsert(DAY, day.toString()));
            out.add(Updates.setOnInsert(ZONE, calendar.zone().getId()));
            whole.updates("", out, true);
            hours.forEach((start, range) -> range.updates(HOURS + "." + spanKey(start) + ".", out, false));
            quarters.forEach((start, range) -> range.updates(QUARTERS + "." + spanKey(start) + ".", out, false));
            // A seq present is a flag under its block: s.<seq / 64>.<seq % 64> = true (the embedded store has no $bit).
            seqs.forEach(seq -> out.add(Updates.set(SEQ_BITS + "." + seqBlock(seq) + "." + Math.floorMod(seq, 64), true)));
            return Updates.combine(out);
        }
    }
}
