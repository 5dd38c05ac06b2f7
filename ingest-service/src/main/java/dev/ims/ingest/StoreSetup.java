package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.reactivestreams.client.MongoDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The ingest's indexes and the retention of the {@code rejected} collection. Blocking (at most {@link #DB_TIMEOUT} a
 * call); start-up calls fail with the database's error, the periodic purge only logs.
 */
final class StoreSetup {

    /** The ingest's logger: what it logs is the ingest's, whichever part does it. */
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

    private final MongoDatabase db;
    private final Duration rejectedRetention;
    private final Clock clock;

    StoreSetup(MongoDatabase db, Duration rejectedRetention, Clock clock) {
        this.db = db;
        this.rejectedRetention = rejectedRetention;
        this.clock = clock;
    }

    /** Creates the indexes the ingest and the portal read by (idempotent). */
    void createIndexes() {
        Flux.concat(
                        db.getCollection(REJECTED).createIndex(Indexes.descending(RECEIVED_AT)),
                        db.getCollection(REJECTED).createIndex(Indexes.ascending(METER_ID, RECEIVED_AT)),
                        db.getCollection(DAILY).createIndex(Indexes.ascending(METER_ID, DAY)),
                        db.getCollection(COMMANDS).createIndex(Indexes.ascending(STATE, REQUESTED_AT)),
                        db.getCollection(COMMANDS).createIndex(Indexes.ascending(METER_ID, REQUESTED_AT)),
                        // The staff's listings of past alarms (newest cleared first, by meter); open alarms are read by _id.
                        db.getCollection(ALARM_HISTORY).createIndex(Indexes.descending(ALARM_CLEARED + "." + AT)),
                        db.getCollection(ALARM_HISTORY).createIndex(Indexes.ascending(METER_ID, ALARM_RAISED_AT)))
                .then()
                .block(DB_TIMEOUT);
    }

    /**
     * Rejected payloads older than {@link IngestLimits#rejectedRetention()} expire through a TTL index on
     * MongoDB; changing the retention changes the index. Stores without TTL indexes (the embedded one) are
     * purged by {@link #purgeRejected()} as well.
     */
    void rejectedTtl() {
        long seconds = rejectedRetention.toSeconds();
        try {
            Mono.from(db.getCollection(REJECTED).createIndex(Indexes.ascending(RECEIVED_AT),
                    new IndexOptions().name("rejected_ttl").expireAfter(seconds, TimeUnit.SECONDS))).block(DB_TIMEOUT);
        } catch (com.mongodb.MongoCommandException e) {
            // IndexOptionsConflict: the retention changed since the index was made.
            Mono.from(db.runCommand(new Document("collMod", REJECTED).append("index",
                    new Document("name", "rejected_ttl").append("expireAfterSeconds", seconds)))).block(DB_TIMEOUT);
        }
    }

    /** Deletes the rejected payloads older than the retention; a failure is logged at debug and left for the next run. */
    void purgeRejected() {
        try {
            Instant cutoff = clock.instant().minus(rejectedRetention);
            Mono.from(db.getCollection(REJECTED).deleteMany(Filters.lt(RECEIVED_AT, Date.from(cutoff)))).block(DB_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("Rejected payloads not purged: {}", e.toString());
        }
    }
}
