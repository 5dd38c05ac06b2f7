package dev.ims.portal.metrics;

import dev.ims.portal.store.MeterDocs;
import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandState;
import dev.ims.model.log.LogSafe;
import dev.ims.portal.web.Mongo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of the fleet as the store holds it, refreshed every {@link #PERIOD} (a scrape never waits on the
 * database): meters by connection state, meters reporting a fault, meters whose supply is off (by their
 * readings), relay commands still open, live ingest instances.
 */
public final class FleetMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(FleetMetrics.class);
    public static final Duration PERIOD = Duration.ofSeconds(15);

    private final MongoDatabase db;
    private final Map<String, AtomicLong> byState = new ConcurrentHashMap<>();
    private final AtomicLong faulty = new AtomicLong();
    private final AtomicLong supplyOff = new AtomicLong();
    private final Map<String, AtomicLong> commands = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public FleetMetrics(MongoDatabase db, MeterRegistry registry) {
        this.db = db;
        this.registry = registry;
        for (String s : List.of("ONLINE", "OFFLINE", "UNKNOWN")) {
            AtomicLong n = new AtomicLong();
            byState.put(s, n);
            Gauge.builder("ims.fleet.meters", n, AtomicLong::get).tag("state", s).description("meters by connection state").register(registry);
        }
        Gauge.builder("ims.fleet.meters.faulty", faulty, AtomicLong::get).description("meters whose latest reading reports a fault").register(registry);
        Gauge.builder("ims.fleet.meters.supply.off", supplyOff, AtomicLong::get)
                .description("meters whose latest reading shows the relay OFF").register(registry);
        for (CommandState s : List.of(CommandState.QUEUED, CommandState.PENDING, CommandState.CONFIRMED)) {
            AtomicLong n = new AtomicLong();
            commands.put(s.name(), n);
            Gauge.builder("ims.commands.open", n, AtomicLong::get).tag("state", s.name()).description("relay commands not settled yet").register(registry);
        }
    }

    private Vertx vertx;
    private long timer = -1;

    /** Refreshes now and every {@link #PERIOD} until {@link #stop()}. */
    public FleetMetrics start(Vertx vertx) {
        this.vertx = vertx;
        refresh();
        timer = vertx.setPeriodic(PERIOD.toMillis(), t -> refresh());
        return this;
    }

    /** The index's meters as the few fields of a meter document {@link #refresh} reads. */
    private List<Document> indexed() {
        List<Document> out = new java.util.ArrayList<>();
        for (dev.ims.portal.fleet.FleetEntry e : index.get()) {
            Document d = new Document(CONNECTION, e.connection()).append(LATEST, new Document(STATUS, e.status()).append(RELAY, e.relay()));
            if (e.decommissioned() != null) {
                d.append(DECOMMISSIONED, new Document());
            }
            out.add(d);
        }
        return out;
    }

    public void stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** The fleet index's meters, when the portal keeps one: the meter gauges are then counted from memory, not from the store. */
    private java.util.function.Supplier<java.util.Collection<dev.ims.portal.fleet.FleetEntry>> index;

    /** Counts the meter gauges from {@code entries} (the fleet index) instead of reading every meter document. Before {@link #start}. */
    public FleetMetrics withIndex(java.util.function.Supplier<java.util.Collection<dev.ims.portal.fleet.FleetEntry>> entries) {
        this.index = entries;
        return this;
    }

    public Future<Void> refresh() {
        Future<List<Document>> meters = index != null ? Future.succeededFuture(indexed()) : Mongo.list(db.getCollection(METERS).find()
                .projection(new Document(CONNECTION_LAST, 1).append(CONNECTION, 1).append(LATEST + "." + STATUS, 1).append(LATEST + "." + RELAY, 1)
                        .append(DECOMMISSIONED, 1)));
        Future<Long> queued = Mongo.first(db.getCollection(COMMANDS).countDocuments(Filters.eq(STATE, CommandState.QUEUED.name())));
        Future<Long> pending = Mongo.first(db.getCollection(COMMANDS).countDocuments(Filters.eq(STATE, CommandState.PENDING.name())));
        Future<Long> confirmed = Mongo.first(db.getCollection(COMMANDS).countDocuments(Filters.eq(STATE, CommandState.CONFIRMED.name())));
        return Future.all(meters, queued, pending, confirmed).onSuccess(v -> {
            Map<String, Long> counts = new java.util.HashMap<>();
            long f = 0;
            long off = 0;
            for (Document m : meters.result()) {
                if (MeterDocs.isDecommissioned(m)) {
                    continue; // no longer part of the fleet (its history is kept)
                }
                String state = MeterDocs.connectionState(m);
                counts.merge(byState.containsKey(state) ? state : "UNKNOWN", 1L, Long::sum);
                Document latest = m.get(LATEST, Document.class);
                if (latest != null) {
                    f += "FAULT".equals(latest.getString(STATUS)) ? 1 : 0;
                    off += "OFF".equals(latest.getString(RELAY)) ? 1 : 0;
                }
            }
            byState.forEach((s, n) -> n.set(counts.getOrDefault(s, 0L)));
            faulty.set(f);
            supplyOff.set(off);
            commands.get("QUEUED").set(queued.result());
            commands.get("PENDING").set(pending.result());
            commands.get("CONFIRMED").set(confirmed.result());
        }).onFailure(e -> LOG.debug("Fleet metrics not refreshed: {}", LogSafe.of(e.toString()))).mapEmpty();
    }
}
