package dev.ims.portal.fleet;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Mongo;
import dev.ims.store.FleetFeed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every meter of the fleet in memory, one {@link FleetEntry} each, so that the staff's fleet calls are answered without
 * the store.
 *
 * <p>Loaded once at start (one read of all meter documents, projected to {@link FleetEntry#PROJECTION}), then kept
 * current from the ingest's change feed ({@link FleetFeed}): every {@link FleetOptions#poll()} the index learns the live
 * ingest instances from their heartbeats ({@code services}), reads each one's slots since its last read by their exact
 * ids, and then the meters named there that it has not taken yet ({@code _id $in}). A full reload every
 * {@link FleetOptions#resync()} catches what the feed does not carry (the portal's own writes: claims, decommissioning,
 * flags; this portal's writers can also call {@link #touch}); with a resync of 0 every staff read reloads first
 * ({@link #current()}: for stores written behind the portal's back, as in tests). A reader further behind than the feed's
 * retention reloads too.
 *
 * <p>Threading: the entries are a concurrent map of immutable records, read from any event loop; the feed cursors are
 * confined to the timer's context, where polls and reloads run one at a time. Change listeners ({@link #onChange}) are
 * called on the context that applied the change, with the entries that changed.
 */
public final class FleetIndex {

    private static final Logger LOG = LoggerFactory.getLogger(FleetIndex.class);
    /** Meters read per {@code $in} (a few hundred bytes each). */
    static final int FETCH_CHUNK = 500;
    /** An instance whose heartbeat is older than this is not read (its slots are gone by then). */
    static final Duration LIVE_INSTANCE = FleetFeed.RETENTION;
    /** Slots read ahead of this portal's clock, for an ingest whose clock runs a little ahead. */
    static final long SLOTS_AHEAD = 2;

    private final MongoDatabase db;
    private final Clock clock;
    private final FleetOptions options;
    private final Map<String, FleetEntry> entries = new ConcurrentHashMap<>();
    private final List<Consumer<List<FleetEntry>>> listeners = new CopyOnWriteArrayList<>();

    /** Per ingest instance: the newest slot taken and how many IDs of it were taken. Timer context only. */
    private final Map<String, Cursor> cursors = new HashMap<>();
    /** The slot every instance not seen yet is read from: the one before the first load began. */
    private long firstSlot;
    private volatile Instant lastReload;
    private boolean busy;
    /** Set when an instance's cursor fell behind the feed's retention: the next tick reloads. */
    private volatile boolean behind;
    private Vertx vertx;
    private long timer = -1;
    /** How stale a snapshot may be when nothing changed: the precision of silence in the answers. */
    static final Duration SNAPSHOT_LIFE = Duration.ofSeconds(5);
    /** Incremented with every change applied; a snapshot of another version is made again. */
    private volatile long version;
    private volatile FleetSnapshot snapshot;
    private volatile long snapshotVersion = -1;
    private volatile Duration loadTime = Duration.ZERO;
    private volatile long reloads;
    private volatile long feedReads;

    private record Cursor(long slot, int taken) {}

    public FleetIndex(MongoDatabase db, Clock clock, FleetOptions options) {
        this.db = db;
        this.clock = clock;
        this.options = options;
    }

    /** Loads the fleet, then follows the feed until {@link #stop()}; fails when the first load fails. */
    public Future<FleetIndex> start(Vertx vertx) {
        this.vertx = vertx;
        Instant began = clock.instant();
        firstSlot = FleetFeed.slotOf(began) - 1;
        return reload().map(v -> {
            LOG.info("Fleet index loaded: {} meters in {} ms", entries.size(), loadTime.toMillis());
            timer = vertx.setPeriodic(options.poll().toMillis(), t -> tick());
            return this;
        });
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** Calls {@code listener} with the entries that changed, after each change applied. */
    public void onChange(Consumer<List<FleetEntry>> listener) {
        listeners.add(listener);
    }

    /** The entries now (a live view: read it, do not keep it). */
    public Collection<FleetEntry> entries() {
        return entries.values();
    }

    public FleetEntry entry(String meterId) {
        return entries.get(meterId);
    }

    public int size() {
        return entries.size();
    }

    /** How long the last full load took. */
    public Duration loadTime() {
        return loadTime;
    }

    /** Full loads so far (the first one included). */
    public long reloads() {
        return reloads;
    }

    /** Feed reads that found something new. */
    public long feedReads() {
        return feedReads;
    }

    /** {@code query} answered now, from memory (from the current {@link FleetSnapshot}). */
    public FleetPage query(FleetQuery query) {
        return snapshot().answer(query);
    }

    /** The meters per state now, keyed by {@link FleetState#key()}. */
    public Map<String, Long> counts() {
        return snapshot().counts();
    }

    /**
     * The snapshot questions are answered from: made again after a change, or once older than {@link #SNAPSHOT_LIFE} (so
     * that silence, which depends on the time, is at most that late); several callers at once wait for one making.
     */
    FleetSnapshot snapshot() {
        Instant now = clock.instant();
        FleetSnapshot s = snapshot;
        if (s != null && snapshotVersion == version && !now.isAfter(s.at().plus(SNAPSHOT_LIFE))) {
            return s;
        }
        synchronized (this) {
            s = snapshot;
            long v = version;
            if (s == null || snapshotVersion != v || now.isAfter(s.at().plus(SNAPSHOT_LIFE))) {
                s = FleetSnapshot.of(entries.values(), now);
                snapshot = s;
                snapshotVersion = v;
            }
            return s;
        }
    }

    /** Completes when the index reflects the store as of now: at once, or with a resync of 0 after a full reload. */
    public Future<Void> current() {
        return options.resync().isZero() ? reload() : Future.succeededFuture();
    }

    /** Reads meter {@code meterId} again now (after this portal wrote its document); its listeners hear of the change. */
    public Future<Void> touch(String meterId) {
        return fetch(List.of(meterId));
    }

    private void tick() {
        if (busy) {
            return;
        }
        busy = true;
        boolean due = behind || !options.resync().isZero() && !clock.instant().isBefore(lastReload.plus(options.resync()));
        Future<Void> work = due ? reload() : poll();
        work.onComplete(r -> {
            busy = false;
            if (r.failed()) {
                LOG.debug("Fleet index not refreshed: {}", LogSafe.of(r.cause().toString()));
            }
        });
    }

    /** Reads every meter document (projected) and replaces the entries; listeners hear of those that differ. */
    Future<Void> reload() {
        Instant began = clock.instant();
        long started = System.nanoTime();
        Map<String, FleetEntry> fresh = new HashMap<>(Math.max(16, entries.size() * 2));
        return Mongo.fold(db.getCollection(METERS).find().projection(FleetEntry.PROJECTION), fresh,
                (m, d) -> m.put(String.valueOf(d.get(ID)), FleetEntry.of(d)), 1000).map(m -> {
                    List<FleetEntry> changed = new ArrayList<>();
                    for (FleetEntry e : m.values()) {
                        FleetEntry old = entries.put(e.meterId(), e);
                        if (!e.equals(old)) {
                            changed.add(e);
                        }
                    }
                    if (entries.keySet().retainAll(m.keySet())) {
                        synchronized (this) {
                            version++;
                        }
                    }
                    loadTime = Duration.ofNanos(System.nanoTime() - started);
                    lastReload = began;
                    behind = false;
                    reloads++;
                    publish(changed);
                    return null;
                });
    }

    /** One read of the feed: the live instances, their new slots, the meters named there. */
    Future<Void> poll() {
        Instant now = clock.instant();
        long nowSlot = FleetFeed.slotOf(now);
        return Mongo.list(db.getCollection(SERVICES).find(Filters.gte("heartbeat", Date.from(now.minus(LIVE_INSTANCE))))
                .projection(new Document("kind", 1))).compose(services -> {
                    List<String> ids = new ArrayList<>();
                    for (Document s : services) {
                        if (!"ingest".equals(s.getString("kind"))) {
                            continue;
                        }
                        String instance = String.valueOf(s.get(ID));
                        Cursor c = cursors.getOrDefault(instance, fresh());
                        if (nowSlot - c.slot() > FleetFeed.retainedSlots()) {
                            // Its older slots may be gone already: what they said is only in the meters now.
                            behind = true;
                            c = new Cursor(nowSlot - 1, 0);
                            cursors.put(instance, c);
                            LOG.info("Fleet index behind the change feed of {}: reloading", LogSafe.of(instance));
                        }
                        ids.addAll(FleetFeed.slotIds(instance, c.slot(), nowSlot + SLOTS_AHEAD));
                    }
                    if (ids.isEmpty()) {
                        return Future.<List<Document>>succeededFuture(List.of());
                    }
                    return Mongo.list(db.getCollection(FLEET_CHANGES).find(Filters.in(ID, ids)));
                }).compose(slots -> {
                    Set<String> meters = new LinkedHashSet<>();
                    for (Document slot : sorted(slots)) {
                        String instance = slot.getString(FEED_INSTANCE);
                        long s = FleetFeed.slotOfId(slot.getString(ID));
                        if (instance == null || s < 0 || !(slot.get(FEED_CHANGED) instanceof List<?> changed)) {
                            continue;
                        }
                        Cursor c = cursors.getOrDefault(instance, fresh());
                        if (s < c.slot()) {
                            continue;
                        }
                        int from = s == c.slot() ? c.taken() : 0;
                        for (int i = from; i < changed.size(); i++) {
                            meters.add(String.valueOf(changed.get(i)));
                        }
                        cursors.put(instance, new Cursor(s, Math.max(from, changed.size())));
                    }
                    if (meters.isEmpty()) {
                        return Future.succeededFuture();
                    }
                    feedReads++;
                    return fetch(new ArrayList<>(meters));
                });
    }

    /**
     * Where an instance not read yet is read from: the slot before the last full load began (what it wrote earlier is in
     * that load), or before the first load.
     */
    private Cursor fresh() {
        return new Cursor(Math.max(firstSlot, FleetFeed.slotOf(lastReload) - 1), 0);
    }

    private static List<Document> sorted(List<Document> slots) {
        List<Document> out = new ArrayList<>(slots);
        out.sort(java.util.Comparator.comparingLong(d -> FleetFeed.slotOfId(d.getString(ID))));
        return out;
    }

    /** Reads the meters {@code ids} by {@code _id} and applies them (a meter gone from the store leaves the index). */
    private Future<Void> fetch(List<String> ids) {
        List<Future<List<Document>>> reads = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += FETCH_CHUNK) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + FETCH_CHUNK));
            reads.add(Mongo.list(db.getCollection(METERS).find(Filters.in(ID, chunk)).projection(FleetEntry.PROJECTION)));
        }
        return Future.all(reads).map(v -> {
            Set<String> missing = new LinkedHashSet<>(ids);
            List<FleetEntry> changed = new ArrayList<>();
            for (Future<List<Document>> r : reads) {
                for (Document d : r.result()) {
                    FleetEntry e = FleetEntry.of(d);
                    missing.remove(e.meterId());
                    if (!e.equals(entries.put(e.meterId(), e))) {
                        changed.add(e);
                    }
                }
            }
            if (missing.stream().map(entries::remove).anyMatch(java.util.Objects::nonNull)) {
                synchronized (this) {
                    version++;
                }
            }
            publish(changed);
            return null;
        });
    }

    private void publish(List<FleetEntry> changed) {
        if (changed.isEmpty()) {
            return;
        }
        synchronized (this) {
            version++;
        }
        for (Consumer<List<FleetEntry>> l : listeners) {
            try {
                l.accept(changed);
            } catch (RuntimeException e) {
                LOG.warn("Fleet change listener failed: {}", LogSafe.of(e.toString()));
            }
        }
    }
}
