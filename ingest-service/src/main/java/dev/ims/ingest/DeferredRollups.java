package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.BucketReadings;
import dev.ims.store.ReadingDocs;
import dev.ims.store.StoreLayout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The day documents ({@code rollups_daily}) and meter documents of readings already in their hour buckets, written up
 * to {@link IngestLimits#rollupDelay()} later than the buckets while the ingest is busy, so that one day write and one
 * meter write absorb every reading a meter sent meanwhile.
 *
 * <p>Why: in the embedded store the cost is per upsert: each looks its {@code _id} up in an H2 index whose keys
 * (mongo-java-server's {@code KeyValue}, not {@code Comparable}) H2 compares by Java-serializing both. Measured (JFR,
 * field profile: 1 600 meters, one reading each per round, 2 cores): 77 % of the store's samples in {@code
 * updateDocuments}, 32 % in those index lookups; a reading cost three upserts (bucket, day, meter), and since the
 * broker's in-flight window (1 000 messages) is smaller than the fleet, one batch never holds two readings of a meter,
 * so coalescing within a batch (or lingering for a bigger one) cannot help. Held for 2 s, the store's samples per
 * stored reading fell by about a third (65 per 1 000 readings against 103 and 146 before; 107 with the delay at 0).
 *
 * <p>Durability: a reading is acknowledged once its bucket is durable; its usage must then survive a kill -9. So before
 * the buckets of a deferred batch are written, the batch's bucket ids are inserted into the journal ({@link #JOURNAL},
 * one small document per batch, {@code instance} = the ingest's client ID); a flush writes the day documents, then the
 * meter documents, then deletes the journal documents it covered. At start ({@link #recover()}) the instance re-rolls
 * the buckets its journal lists: their readings go through {@link BatchWrites} again, which is idempotent ({@code $min},
 * {@code $max}, {@code $set} of the same value), so a bucket re-rolled twice, or by two instances, changes nothing more.
 * Several instances may write the same meter and day in any order for the same reason.
 *
 * <p>Invariant the portal relies on: a meter document is written after (never before) the day documents of the same
 * readings, in the same flush. Its {@code lastSeq}, {@code latest} and {@code lastSeen} may lag the buckets by up to
 * the delay; a lower {@code lastSeq} is safe for exactly-once (the duplicate check reads the buckets).
 *
 * <p>Idle, nothing is deferred: a batch that finds the queues empty writes its days and meters (and all that was pending)
 * before it is acknowledged, as without this class. Writer thread only; not thread-safe.
 */
final class DeferredRollups {

    /** The collection of journal documents: {@code _id}, {@code instance}, {@code at}, {@code buckets} (hour bucket ids). */
    static final String JOURNAL = "ingest_journal";
    static final String INSTANCE = "instance";
    static final String BUCKETS = "buckets";
    /** Readings held at most before a flush, whatever the delay: bounds memory and the size of one flush. */
    static final int MAX_PENDING = 20_000;
    /** Bucket ids re-rolled per query at start. */
    private static final int RECOVERY_CHUNK = 500;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How often an instance looks for orphaned journal entries ({@link #adoptOrphans()}). */
    static final Duration ADOPT_EVERY = Duration.ofMinutes(1);
    static final Duration MIN_ORPHAN_AGE = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(DeferredRollups.class);

    private final MongoDatabase db;
    private final UsageCalendar calendar;
    private final String instance;
    private final Duration delay;
    private final Clock clock;
    /** Per (meter, seq): the reading not yet in its day and meter documents; a retried batch puts it once. */
    private final Map<String, Reading> pending = new LinkedHashMap<>();
    private final Map<Reading, Instant> receipts = new IdentityHashMap<>();
    /** The journal documents the pending readings are listed in (some may not exist: an insert that failed). */
    private final List<String> journalIds = new ArrayList<>();
    private final String journalPrefix;
    private long journalCount;
    /** When the oldest pending reading was added; null when nothing is pending. */
    private Instant oldest;
    private Instant lastAdoption;
    /** Told of the readings whose meter documents were just written (the alarms); never throws. */
    private java.util.function.Consumer<List<Reading>> afterMeters = readings -> {};
    /** Told the meters whose documents a flush wrote (the fleet change feed); null: nobody. */
    private FleetChangeLog changes;

    DeferredRollups(MongoDatabase db, UsageCalendar calendar, String instance, Duration delay, Clock clock) {
        this.db = db;
        this.calendar = calendar;
        this.instance = instance;
        this.delay = delay;
        this.clock = clock;
        // Unique across restarts of the instance: a journal document left by a crash is never overwritten.
        this.journalPrefix = instance + "|" + clock.millis() + "|";
    }

    /** Has {@code listener} told of the readings of every meter document write, right after it (before {@link #recover()}). */
    DeferredRollups afterMeters(java.util.function.Consumer<List<Reading>> listener) {
        this.afterMeters = listener;
        return this;
    }

    /** Records the meters of every flush's meter documents in {@code log}, after they are written. Before the first flush. */
    DeferredRollups changesTo(FleetChangeLog log) {
        this.changes = log;
        return this;
    }

    /**
     * Whether a batch may leave its day and meter writes for later: the writer is {@code busy} (more is queued), deferral
     * is on, and what is pending is neither due nor too much.
     */
    boolean mayDefer(boolean busy) {
        return busy && !delay.isZero() && !due() && pending.size() < MAX_PENDING;
    }

    /** Whether pending readings have waited {@link IngestLimits#rollupDelay()} or more. */
    boolean due() {
        return oldest != null && !clock.instant().isBefore(oldest.plus(delay));
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    int size() {
        return pending.size();
    }

    /**
     * Lists the hour buckets of {@code readings} in the journal: to be called before those buckets are written and
     * acknowledged, so that a kill before the flush leaves the list for {@link #recover()}.
     */
    void journal(Collection<Reading> readings) {
        Set<String> buckets = new LinkedHashSet<>();
        for (Reading r : readings) {
            buckets.add(StoreLayout.hourBucketId(r.meterId(), calendar.hourStart(r.ts())));
        }
        String id = journalPrefix + journalCount++;
        journalIds.add(id); // before the insert: one that failed after all is deleted, harmlessly, by the flush
        Mono.from(db.getCollection(JOURNAL).insertOne(new Document(ID, id).append(INSTANCE, instance)
                .append("at", Date.from(clock.instant())).append(BUCKETS, new ArrayList<>(buckets)))).block(TIMEOUT);
    }

    /** Holds {@code readings}, received at {@code receivedAt} and now in their buckets, for the next flush. */
    void add(Collection<Reading> readings, Instant receivedAt) {
        for (Reading r : readings) {
            if (pending.putIfAbsent(r.meterId() + "|" + r.seq(), r) == null) {
                receipts.put(r, receivedAt);
            }
        }
        if (oldest == null && !pending.isEmpty()) {
            oldest = clock.instant();
        }
    }

    /**
     * Writes the day documents, then the meter documents of everything pending, then deletes the journal documents
     * that listed them. Throws when the store fails; what is pending stays for the next attempt.
     */
    void flush() {
        if (pending.isEmpty() && journalIds.isEmpty()) {
            return;
        }
        if (!pending.isEmpty()) {
            List<Reading> readings = new ArrayList<>(pending.values());
            writeRollups(readings, receipts::get);
        }
        if (!journalIds.isEmpty()) {
            Mono.from(db.getCollection(JOURNAL).deleteMany(Filters.in(ID, journalIds))).block(TIMEOUT);
        }
        pending.clear();
        receipts.clear();
        journalIds.clear();
        oldest = null;
    }

    /** Forgets what is pending without writing it (its journal documents stay for the next start's {@link #recover()}). */
    void drop() {
        pending.clear();
        receipts.clear();
        journalIds.clear();
        oldest = null;
    }

    /**
     * Re-rolls the hour buckets this instance's journal lists (left by a kill between an acknowledgement and the flush),
     * then deletes those journal documents. Before any message is taken. Returns the number of buckets re-rolled.
     */
    int recover() {
        // The journal holds a few documents per running instance: the scan of {instance} is cheap.
        List<Document> entries = Flux.from(db.getCollection(JOURNAL).find(Filters.eq(INSTANCE, instance))).collectList().block(TIMEOUT);
        int n = reroll(entries);
        if (n > 0) {
            LOG.info("Ingest {}: usage of {} hour buckets re-rolled from the journal of a run that ended before writing it", instance, n);
        }
        return n;
    }

    /** Whether {@link #adoptOrphans()} is due (every {@link #ADOPT_EVERY}). */
    boolean adoptDue() {
        Instant now = clock.instant();
        if (lastAdoption == null) {
            lastAdoption = now; // not at once: recover() has just run
            return false;
        }
        return !now.isBefore(lastAdoption.plus(ADOPT_EVERY));
    }

    /**
     * Re-rolls the journal entries of any instance, this one included, older than {@link #orphanAge()}: an instance
     * that was killed and never started again (scaled down, renamed) leaves entries no {@link #recover()} will read, and
     * a flush this instance gave up on leaves its own. A live instance flushes within {@code INGEST_ROLLUP_DELAY_MS}, so
     * an entry that old is orphaned; and re-rolling is idempotent, so adopting one whose owner flushes after all, or
     * that two instances adopt at once, changes nothing. Returns the number of buckets re-rolled.
     */
    int adoptOrphans() {
        lastAdoption = clock.instant();
        // The journal is small (a few entries per instance): a scan of its dates is cheap.
        List<Document> entries = Flux.from(db.getCollection(JOURNAL).find(Filters.lt("at", Date.from(lastAdoption.minus(orphanAge())))))
                .collectList().block(TIMEOUT);
        int n = reroll(entries);
        if (n > 0) {
            Set<Object> owners = new LinkedHashSet<>();
            entries.forEach(e -> owners.add(e.get(INSTANCE)));
            LOG.info("Ingest {}: adopted {} orphaned journal entries of {} ({} hour buckets re-rolled)", instance, entries.size(), owners, n);
        }
        return n;
    }

    /** How old a journal entry must be to be adopted: five times the deferral, at least five minutes. */
    Duration orphanAge() {
        Duration five = delay.multipliedBy(5);
        return five.compareTo(MIN_ORPHAN_AGE) > 0 ? five : MIN_ORPHAN_AGE;
    }

    /** Re-rolls the hour buckets {@code entries} list, then deletes them. Returns the number of buckets. */
    private int reroll(List<Document> entries) {
        if (entries == null || entries.isEmpty()) {
            return 0;
        }
        Set<String> buckets = new LinkedHashSet<>();
        List<Object> ids = new ArrayList<>();
        for (Document e : entries) {
            ids.add(e.get(ID));
            if (e.get(BUCKETS) instanceof List<?> list) {
                list.forEach(b -> buckets.add(String.valueOf(b)));
            }
        }
        List<String> all = new ArrayList<>(buckets);
        for (int from = 0; from < all.size(); from += RECOVERY_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + RECOVERY_CHUNK));
            List<Reading> readings = new ArrayList<>();
            Map<Reading, Instant> received = new IdentityHashMap<>();
            for (Document bucket : Flux.from(db.getCollection(StoreLayout.READINGS).find(Filters.in(ID, chunk))).collectList().block(TIMEOUT)) {
                for (Document d : BucketReadings.of(bucket)) {
                    Reading r = ReadingDocs.readingFrom(d, null);
                    readings.add(r);
                    received.put(r, d.getDate(RECEIVED_AT) != null ? d.getDate(RECEIVED_AT).toInstant() : r.ts());
                }
            }
            if (!readings.isEmpty()) {
                writeRollups(readings, received::get);
            }
        }
        Mono.from(db.getCollection(JOURNAL).deleteMany(Filters.in(ID, ids))).block(TIMEOUT);
        return all.size();
    }

    /** The day documents, then (never before) the meter documents of {@code readings}. */
    private void writeRollups(List<Reading> readings, java.util.function.Function<Reading, Instant> receivedAt) {
        BatchWrites writes = BatchWrites.rollupsOf(readings, calendar, receivedAt);
        BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
        Mono.from(db.getCollection(StoreLayout.DAYS).bulkWrite(writes.days(), unordered)).block(TIMEOUT);
        Mono.from(db.getCollection(METERS).bulkWrite(writes.meters(), unordered)).block(TIMEOUT);
        afterMeters.accept(readings);
        if (changes != null) {
            changes.record(readings.stream().map(Reading::meterId).collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new)));
        }
    }
}
