package dev.ims.store;

import dev.ims.model.storage.StoreSchema;
import dev.ims.model.usage.UsageCalendar;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Where a reading and its spans' summaries live: computed {@code _id}s and keys. Pure. */
public final class StoreLayout {

    /** A meter's readings are bucketed per local clock hour ({@code readings}). */
    public static final String READINGS = StoreSchema.READINGS;
    /** Per meter and local day: the day's, its hours' and its quarter hours' summaries, and its seqs. */
    public static final String DAYS = StoreSchema.DAILY;

    /** In a bucket: the readings by seq. */
    public static final String READINGS_BY_SEQ = "r";
    public static final String MIN_SEQ = "minSeq";
    public static final String MAX_SEQ = "maxSeq";
    /** In a day: hour summaries by hour start. */
    public static final String HOURS = "h";
    /** In a day: quarter-hour summaries by quarter start. */
    public static final String QUARTERS = "q";
    /** In a day: the seqs stored, as flags {@code s.<seq / 64>.<seq % 64> = true} (read with a projection: only the gap report needs them). */
    public static final String SEQ_BITS = "s";
    /** On a meter: the oldest and newest reading time stored (for the days a whole-history read covers). */
    public static final String FIRST_READING_TS = "firstReadingTs";
    public static final String LAST_READING_TS = "lastReadingTs";
    /** On a meter: the storage layout version of its readings; {@link #VERSION} once written or migrated. */
    public static final String LAYOUT = "layout";
    public static final int VERSION = 2;

    /** A day range or a range of hours longer than this is refused by the id helpers (a caller's bug, not data). */
    public static final int MAX_IDS = 20_000;

    private StoreLayout() {}

    public static String hourBucketId(String meterId, Instant hourStart) {
        return StoreSchema.hourlyId(meterId, hourStart);
    }

    public static String dayId(String meterId, LocalDate day) {
        return StoreSchema.dailyId(meterId, day);
    }

    /** The key of a span inside a day document ({@code h.<key>}, {@code q.<key>}): its start instant, ISO-8601 (sorts in time order). */
    public static String spanKey(Instant start) {
        return start.toString();
    }

    public static long seqBlock(long seq) {
        return Math.floorDiv(seq, 64);
    }

    public static long seqBit(long seq) {
        return 1L << Math.floorMod(seq, 64);
    }

    /** The ids of the day documents of days {@code from..to} (both included), oldest first. */
    public static List<String> dayIds(String meterId, LocalDate from, LocalDate to) {
        List<String> out = new ArrayList<>();
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            if (out.size() == MAX_IDS) {
                throw new IllegalArgumentException("more than " + MAX_IDS + " days");
            }
            out.add(dayId(meterId, d));
        }
        return out;
    }

    /** The ids of the hour buckets that can hold readings with {@code from <= ts < to}, oldest first. */
    public static List<String> hourBucketIds(String meterId, Instant from, Instant to, UsageCalendar calendar) {
        List<String> out = new ArrayList<>();
        for (Instant h = calendar.hourStart(from); h.isBefore(to); h = nextHour(h, calendar)) {
            if (out.size() == MAX_IDS) {
                throw new IllegalArgumentException("more than " + MAX_IDS + " hours");
            }
            out.add(hourBucketId(meterId, h));
        }
        return out;
    }

    /** The start of the local hour after the one starting at {@code hourStart} (30 or 60 minutes later only in odd zones). */
    public static Instant nextHour(Instant hourStart, UsageCalendar calendar) {
        Instant next = calendar.hourStart(hourStart.plusSeconds(3600));
        // A zone whose offset changes by 30 minutes can make hourStart(+1h) the same hour: step past it.
        return next.isAfter(hourStart) ? next : calendar.hourStart(hourStart.plusSeconds(5400));
    }
}
