package dev.ims.launcher.bench;

import static dev.ims.model.storage.StoreSchema.ID;
import static dev.ims.model.storage.StoreSchema.METERS;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.WriteModel;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.StoreLayout;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * The read phase's data set, written straight into the store through {@link BatchWrites} (the ingest's own write
 * code, without broker and ingest in the way): {@code fleetMeters} meters with {@code fleetDays} days of 15-minute
 * readings, and one meter with {@code yearDays} days of 1-minute readings (a year: 525 600) with a few seqs left out,
 * so that its gap report has something to find. All end at the load's time. A marker document in {@value #MARKER}
 * records a finished load, so a store that has it already ({@code --reuse-store}) is not loaded again.
 */
final class ReadData {

    /** The collection of the marker document ({@code _id} {@value #MARKER_ID}); no other part of the system reads it. */
    static final String MARKER = "bench_read";
    static final String MARKER_ID = "read-data";
    static final String YEAR_METER = "bench-year";
    static final String FLEET_PREFIX = "bench-fleet-";
    /** Readings of the year meter per batch. */
    private static final int YEAR_BATCH = 360;

    /** The year meter's missing seqs: gaps of 1, 1 and 10 readings at a quarter, a half and three quarters of its history. */
    static Set<Long> missingSeqs(long readings) {
        Set<Long> out = new TreeSet<>();
        out.add(readings / 4);
        out.add(readings / 2);
        for (long s = readings * 3 / 4; s < readings * 3 / 4 + 10; s++) {
            out.add(s);
        }
        out.removeIf(s -> s <= 0 || s >= readings - 1);
        return out;
    }

    /** Gaps in {@link #missingSeqs} as the gap report lists them (runs of consecutive seqs). */
    static int gapCount(Set<Long> missing) {
        int gaps = 0;
        long previous = Long.MIN_VALUE;
        for (long s : missing) {
            if (s != previous + 1) {
                gaps++;
            }
            previous = s;
        }
        return gaps;
    }

    /** The shape of the data set. */
    record Shape(int fleetMeters, int fleetDays, int yearDays) {
        long yearReadings() {
            return yearDays * 1440L;
        }
    }

    /**
     * What is in the store.
     *
     * @param end the time the readings end at (the newest is one minute, or 15 minutes, before it)
     */
    record Loaded(Shape shape, Instant end, String yearMeter, List<String> fleet, Set<Long> missing) {
        /** The year meter's first reading time. */
        Instant yearStart() {
            return end.minus(Duration.ofDays(shape.yearDays()));
        }

        /** The year meter's readings stored: one a minute but the missing ones. */
        long yearStored() {
            return shape.yearReadings() - missing.size();
        }
    }

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final BulkWriteOptions UNORDERED = new BulkWriteOptions().ordered(false);

    private final MongoDatabase db;
    private final UsageCalendar calendar;
    private final PrintStream out;

    ReadData(MongoDatabase db, UsageCalendar calendar, PrintStream out) {
        this.db = db;
        this.calendar = calendar;
        this.out = out;
    }

    /** The data set of {@code shape}: the one the store has (its marker says so), else loaded now. */
    Loaded loadOrReuse(Shape shape) {
        Document marker = Mono.from(db.getCollection(MARKER).find(Filters.eq(ID, MARKER_ID)).first()).block(TIMEOUT);
        if (marker != null && marker.getInteger("fleetMeters") == shape.fleetMeters() && marker.getInteger("fleetDays") == shape.fleetDays()
                && marker.getInteger("yearDays") == shape.yearDays()) {
            Instant end = marker.getDate("end").toInstant();
            out.printf("  read data: reused (loaded %s): %d meters x %d days of 15-minute readings, one meter with %,d 1-minute readings%n",
                    end, shape.fleetMeters(), shape.fleetDays(), shape.yearReadings() - missingSeqs(shape.yearReadings()).size());
            return loaded(shape, end);
        }
        if (marker != null) {
            throw new IllegalStateException("the store holds the read data of another shape (" + marker.toJson() + "): use another"
                    + " --reuse-store directory, or the same --read-meters/--read-days/--year-days");
        }
        Instant end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Loaded loaded = loaded(shape, end);
        long started = System.nanoTime();
        long fleetReadings = loadFleet(loaded);
        long yearReadings = loadYear(loaded);
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf("  read data: loaded %,d readings in %.0f s (%,.0f readings/s through BatchWrites)%n", fleetReadings + yearReadings, seconds,
                (fleetReadings + yearReadings) / seconds);
        Mono.from(db.getCollection(MARKER).replaceOne(Filters.eq(ID, MARKER_ID), new Document(ID, MARKER_ID)
                .append("fleetMeters", shape.fleetMeters()).append("fleetDays", shape.fleetDays()).append("yearDays", shape.yearDays())
                .append("end", Date.from(end)), new ReplaceOptions().upsert(true))).block(TIMEOUT);
        return loaded;
    }

    private static Loaded loaded(Shape shape, Instant end) {
        List<String> fleet = new ArrayList<>();
        for (int i = 0; i < shape.fleetMeters(); i++) {
            fleet.add(String.format("%s%02d", FLEET_PREFIX, i));
        }
        return new Loaded(shape, end, YEAR_METER, List.copyOf(fleet), missingSeqs(shape.yearReadings()));
    }

    /** One batch per day of the whole fleet, readings every 15 minutes. */
    private long loadFleet(Loaded data) {
        Shape shape = data.shape();
        Instant start = data.end().minus(Duration.ofDays(shape.fleetDays()));
        long written = 0;
        for (int day = 0; day < shape.fleetDays(); day++) {
            List<Reading> batch = new ArrayList<>();
            for (int m = 0; m < shape.fleetMeters(); m++) {
                for (int q = 0; q < 96; q++) {
                    long seq = day * 96L + q;
                    batch.add(reading(data.fleet().get(m), seq, start.plus(Duration.ofMinutes(15 * seq)), 15, m));
                }
            }
            apply(batch);
            written += batch.size();
        }
        out.printf("  read data: %d meters x %d days of 15-minute readings written (%,d)%n", shape.fleetMeters(), shape.fleetDays(), written);
        return written;
    }

    /** One batch per day of the year meter, readings every minute but the missing seqs; progress every tenth. */
    private long loadYear(Loaded data) {
        long total = data.shape().yearReadings();
        Instant start = data.yearStart();
        long written = 0;
        long nextReport = total / 10;
        long started = System.nanoTime();
        List<Reading> batch = new ArrayList<>(1440);
        for (long seq = 0; seq < total; seq++) {
            if (!data.missing().contains(seq)) {
                batch.add(reading(data.yearMeter(), seq, start.plus(Duration.ofMinutes(seq)), 1, 7));
            }
            if (batch.size() == YEAR_BATCH || seq == total - 1) {
                apply(batch);
                written += batch.size();
                batch.clear();
            }
            if (seq + 1 >= nextReport && nextReport > 0) {
                out.printf("  read data: year meter %,d of %,d readings (%.0f s)%n", seq + 1, total, (System.nanoTime() - started) / 1e9);
                nextReport += total / 10;
            }
        }
        return written;
    }

    /**
     * A reading of home {@code home}: its register grows by 0.3 kWh an hour, exactly computed from the seq (never
     * backwards, any reading computable alone); its power shows an evening peak.
     */
    private static Reading reading(String meterId, long seq, Instant ts, int minutesApart, int home) {
        double register = 1000 + home * 10 + seq * 0.3 * minutesApart / 60.0;
        int hour = (int) ((seq * minutesApart / 60) % 24);
        double powerW = (hour >= 17 && hour < 21 ? 1300 : 300) + home;
        return Reading.of(meterId, seq, ts, Math.round(register * 1000) / 1000.0, powerW, 230.0, Math.round(powerW / 2.3) / 100.0, null, null);
    }

    private void apply(List<Reading> batch) {
        BatchWrites w = BatchWrites.of(batch, calendar, Instant.now());
        bulk(StoreLayout.READINGS, w.buckets());
        bulk(StoreLayout.DAYS, w.days());
        bulk(METERS, w.meters());
    }

    private void bulk(String collection, List<WriteModel<Document>> writes) {
        if (!writes.isEmpty()) {
            Mono.from(db.getCollection(collection).bulkWrite(writes, UNORDERED)).block(TIMEOUT);
        }
    }
}
