package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.log.LogSafe;
import dev.ims.model.reading.Reading;
import dev.ims.store.ReadingDocs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Staff decisions on quarantined readings: the portal's {@code quarantine_actions} name readings staff accepted;
 * {@link #sweep} hands each to the writer (stored as if just received, without the plausibility checks staff
 * overrode) and {@link #finish} settles it. {@link #sweep} runs on the timer thread, {@link #finish} on the writer's.
 */
final class AcceptedReadings {

    /** The ingest's logger: what it logs is the ingest's, whichever part does it. */
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    static final Duration SWEEP = Duration.ofSeconds(2);
    private static final Duration DB_TIMEOUT = StoreSetup.DB_TIMEOUT;

    private final MongoDatabase db;
    private final Clock clock;
    /** Quarantined readings staff accepted, queued for the writer and not written yet. */
    private final Set<Object> accepting = ConcurrentHashMap.newKeySet();

    AcceptedReadings(MongoDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Queues the readings staff accepted and not queued yet through {@code enqueue}; a failure is logged at debug. */
    void sweep(Consumer<PendingItem> enqueue) {
        try {
            List<Document> actions = Flux.from(db.getCollection(QUARANTINE_ACTIONS).find().limit(500)).collectList().block(DB_TIMEOUT);
            for (Document action : actions) {
                Object id = action.get(ID);
                if (accepting.contains(id)) {
                    continue;
                }
                Document doc = Mono.from(db.getCollection(REJECTED).find(Filters.eq(ID, id)).first()).block(DB_TIMEOUT);
                if (doc == null || !QUARANTINE_ACCEPTING.equals(doc.getString(QUARANTINE)) || doc.get(READING, Document.class) == null) {
                    Mono.from(db.getCollection(QUARANTINE_ACTIONS).deleteOne(Filters.eq(ID, id))).block(DB_TIMEOUT);
                    continue;
                }
                Reading r;
                try {
                    r = ReadingDocs.readingFrom(doc.get(READING, Document.class), doc.getString(METER_ID));
                } catch (RuntimeException e) {
                    finish(id, QUARANTINE_DISCARDED, "not stored: the quarantined reading cannot be read: " + e, clock.instant());
                    continue;
                }
                accepting.add(id);
                enqueue.accept(PendingItem.accepted(r, id));
            }
        } catch (RuntimeException e) {
            LOG.debug("Accepted readings not swept: {}", e.toString());
        }
    }

    /** Settles an accepted quarantined reading: its new state, why when not stored, and the action removed. */
    void finish(Object id, String state, String error, Instant now) {
        List<org.bson.conversions.Bson> set = new ArrayList<>(List.of(Updates.set(QUARANTINE, state),
                Updates.set(DECISION + ".settledAt", Date.from(now))));
        if (error != null) {
            set.add(Updates.set(DECISION + ".error", error.length() > 500 ? error.substring(0, 500) : error));
        }
        Mono.from(db.getCollection(REJECTED).updateOne(Filters.eq(ID, id), Updates.combine(set))).block(DB_TIMEOUT);
        Mono.from(db.getCollection(QUARANTINE_ACTIONS).deleteOne(Filters.eq(ID, id))).block(DB_TIMEOUT);
        accepting.remove(id);
        LOG.info("Quarantined reading {} accepted by staff: {}", id, error == null ? "stored" : LogSafe.of(error));
    }

    /** Forgets {@code id} as queued, so that the next sweep queues it again. */
    void release(Object id) {
        accepting.remove(id);
    }
}
