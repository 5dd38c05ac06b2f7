package dev.ims.portal.fleet;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Mongo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's total load over the last 24 h. Every {@link FleetOptions#loadSample()} the summed power of the meters
 * reporting ({@link FleetEntry#reporting}: in service, not offline, not silent, with a power in their newest reading) is
 * taken from the {@link FleetIndex} and kept as its minute's sample, in memory and in {@value dev.ims.model.storage.StoreSchema#FLEET_LOAD}
 * ({@code _id} = the minute, so a repeated or concurrent write of the same minute replaces it: idempotent). A restart
 * reads the last 24 h back by their ids. The curve ({@link #curve}) averages the samples of each quarter hour.
 */
public final class FleetLoad {

    private static final Logger LOG = LoggerFactory.getLogger(FleetLoad.class);
    public static final Duration KEEP = Duration.ofHours(24);
    public static final Duration INTERVAL = Duration.ofMinutes(15);

    /** One minute's sample: summed power in W of {@code meters} meters reporting. */
    public record Sample(Instant minute, double powerW, int meters) {}

    /** One quarter hour of the curve: the mean of its {@code samples} samples' summed power and reporting meters. */
    public record Point(Instant start, double powerW, double meters, int samples) {}

    private final MongoDatabase db;
    private final FleetIndex index;
    private final Clock clock;
    private final Duration every;
    private final NavigableMap<Instant, Sample> samples = new ConcurrentSkipListMap<>();
    private Vertx vertx;
    private long timer = -1;
    /** The newest minute whose document was deleted as too old; null before the first purge. Timer context only. */
    private Instant purgedThrough;

    public FleetLoad(MongoDatabase db, FleetIndex index, Clock clock, Duration every) {
        this.db = db;
        this.index = index;
        this.clock = clock;
        this.every = every;
    }

    /** Reads the last 24 h of samples back, then samples every {@code every} until {@link #stop()}. */
    public Future<FleetLoad> start(Vertx vertx) {
        this.vertx = vertx;
        Instant now = minute(clock.instant());
        List<String> ids = new ArrayList<>();
        for (Instant m = now.minus(KEEP); !m.isAfter(now); m = m.plus(Duration.ofMinutes(1))) {
            ids.add(m.toString());
        }
        return Mongo.list(db.getCollection(FLEET_LOAD).find(Filters.in(ID, ids))).map(docs -> {
            for (Document d : docs) {
                Instant m = Instant.parse(d.getString(ID));
                samples.put(m, new Sample(m, d.get(LOAD_POWER_W, Number.class).doubleValue(), d.get(LOAD_METERS, Number.class).intValue()));
            }
            timer = vertx.setPeriodic(every.toMillis(), t -> sample());
            return this;
        });
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** Takes the current minute's sample from the index and stores it; forgets (and deletes) samples older than 24 h. */
    public Future<Void> sample() {
        Instant now = clock.instant();
        Instant minute = minute(now);
        double sum = 0;
        int n = 0;
        for (FleetEntry e : index.entries()) {
            if (e.reporting(now)) {
                sum += e.powerW();
                n++;
            }
        }
        Sample s = new Sample(minute, sum, n);
        samples.put(minute, s);
        Instant oldest = minute.minus(KEEP);
        samples.headMap(oldest, false).clear();
        List<String> old = new ArrayList<>();
        for (Instant m = purgedThrough == null ? oldest.minus(KEEP) : purgedThrough.plus(Duration.ofMinutes(1)); m.isBefore(oldest);
                m = m.plus(Duration.ofMinutes(1))) {
            old.add(m.toString());
        }
        Future<Void> purge = old.isEmpty() ? Future.succeededFuture()
                : Mongo.first(db.getCollection(FLEET_LOAD).deleteMany(Filters.in(ID, old))).<Void>mapEmpty()
                        .onSuccess(v -> purgedThrough = oldest.minus(Duration.ofMinutes(1)));
        Future<Void> write = Mongo.first(db.getCollection(FLEET_LOAD).replaceOne(Filters.eq(ID, minute.toString()),
                new Document(ID, minute.toString()).append(AT, Date.from(minute)).append(LOAD_POWER_W, sum).append(LOAD_METERS, n),
                new ReplaceOptions().upsert(true))).mapEmpty();
        return Future.all(write, purge).<Void>mapEmpty().onFailure(e -> LOG.debug("Fleet load sample not stored: {}", LogSafe.of(e.toString())));
    }

    /** The quarter hours of the last {@code span} up to now that have samples, oldest first. */
    public List<Point> curve(Duration span) {
        Instant now = clock.instant();
        return quarters(samples.tailMap(now.minus(span), true).values(), now.minus(span), now);
    }

    /**
     * The mean per quarter hour (quarters of the UTC clock) of the samples in [{@code from}, {@code to}], oldest first;
     * quarters without a sample are left out.
     */
    static List<Point> quarters(Collection<Sample> in, Instant from, Instant to) {
        NavigableMap<Instant, double[]> acc = new java.util.TreeMap<>();
        for (Sample s : in) {
            if (s.minute().isBefore(from) || s.minute().isAfter(to)) {
                continue;
            }
            Instant q = Instant.ofEpochMilli(Math.floorDiv(s.minute().toEpochMilli(), INTERVAL.toMillis()) * INTERVAL.toMillis());
            double[] a = acc.computeIfAbsent(q, k -> new double[3]);
            a[0] += s.powerW();
            a[1] += s.meters();
            a[2]++;
        }
        List<Point> out = new ArrayList<>(acc.size());
        acc.forEach((q, a) -> out.add(new Point(q, a[0] / a[2], a[1] / a[2], (int) a[2])));
        return out;
    }

    /** The quarter-hour starts from {@code span} ago to now, oldest first (for a chart with gaps where nothing was sampled). */
    public static List<Instant> quarterStarts(Instant now, Duration span) {
        long q = INTERVAL.toMillis();
        List<Instant> out = new ArrayList<>();
        for (long t = Math.floorDiv(now.minus(span).toEpochMilli(), q) * q + q; t <= now.toEpochMilli(); t += q) {
            out.add(Instant.ofEpochMilli(t));
        }
        return out;
    }

    private static Instant minute(Instant t) {
        return t.truncatedTo(ChronoUnit.MINUTES);
    }
}
