package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.function.BooleanSupplier;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The instance's document in {@code services}: its totals (restored from it at start, {@link #restoreCounters()}),
 * whether it reaches the broker and the database, the staff's pipeline figures ({@link PipelineFigures}) and the time
 * it was written; and the log line of the totals ({@link #summary()}). Called from the ingest's timer thread (and once
 * when stopping); a write that fails is logged at debug and made again at the next beat.
 */
final class Heartbeat implements Runnable {

    /** The ingest's logger: what it logs is the ingest's, whichever part does it. */
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    static final Duration PERIOD = Duration.ofSeconds(2);
    static final Duration SUMMARY = Duration.ofSeconds(30);

    private final MongoDatabase db;
    private final String instance;
    private final IngestCounters counters;
    private final Clock clock;
    private final BooleanSupplier brokerUp;
    private final BooleanSupplier databaseUp;
    private final IngestMetrics metrics;
    /** The figures of the heartbeat for the staff's pipeline monitor. */
    private final PipelineFigures pipeline = new PipelineFigures();

    Heartbeat(MongoDatabase db, String instance, IngestCounters counters, Clock clock, BooleanSupplier brokerUp, BooleanSupplier databaseUp,
            IngestMetrics metrics) {
        this.db = db;
        this.instance = instance;
        this.counters = counters;
        this.clock = clock;
        this.brokerUp = brokerUp;
        this.databaseUp = databaseUp;
        this.metrics = metrics;
    }

    /** Sets the totals to those of this instance's last heartbeat, if it has one (the totals are since its first start). */
    void restoreCounters() {
        Document previous = Mono.from(db.getCollection(SERVICES).find(Filters.eq(ID, instance)).first()).block(StoreSetup.DB_TIMEOUT);
        if (previous != null) {
            counters.received.set(number(previous, "received"));
            counters.stored.set(number(previous, "stored"));
            counters.duplicates.set(number(previous, "duplicates"));
            counters.rejected.set(number(previous, "rejected"));
        }
    }

    /** Writes the heartbeat. */
    @Override
    public void run() {
        try {
            Mono.from(db.getCollection(SERVICES).updateOne(Filters.eq(ID, instance), Updates.combine(
                    Updates.set("kind", "ingest"),
                    Updates.set("broker", brokerUp.getAsBoolean() ? "UP" : "DOWN"),
                    Updates.set("database", databaseUp.getAsBoolean() ? "UP" : "DOWN"),
                    Updates.set("received", counters.received()),
                    Updates.set("stored", counters.stored()),
                    Updates.set("duplicates", counters.duplicates()),
                    Updates.set("rejected", counters.rejected()),
                    Updates.set(PipelineFigures.FIELD, pipeline.sample(System.nanoTime(), counters, metrics.batchWrites(), metrics.batchSizes())),
                    Updates.set("heartbeat", Date.from(clock.instant()))), new UpdateOptions().upsert(true))).block(StoreSetup.DB_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("Heartbeat not written: {}", e.toString());
        }
    }

    /** Logs the counters when they changed: one line per run at most ({@link #SUMMARY} apart), never per message. */
    Runnable summary() {
        return new Runnable() {
            private String last = "";

            @Override
            public void run() {
                String now = counters.toString();
                if (!now.equals(last)) {
                    LOG.info("Ingest totals: {}", now);
                    last = now;
                }
            }
        };
    }

    private static long number(Document d, String key) {
        Object v = d.get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }
}
