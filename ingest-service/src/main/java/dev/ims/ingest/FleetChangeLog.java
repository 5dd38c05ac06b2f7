package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.FLEET_CHANGES;
import static dev.ims.model.storage.StoreSchema.ID;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.store.FleetFeed;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * This instance's side of the fleet change feed ({@link FleetFeed}): after the ingest writes meter documents it records
 * their IDs in its current slot (one upsert by {@code _id} per call), and it deletes its own slots once they are older
 * than {@link FleetFeed#RETENTION} (by exact ids). The portal's fleet index reads the feed to refresh only what changed.
 *
 * <p>{@link #record} is called on the writer thread, after the meter documents it names are written, and throws when the
 * store fails: the caller's batch or flush is then retried whole (its writes are idempotent), the feed entry with it.
 * {@link #purge} runs on the ingest's timer. Both touch only this instance's documents.
 */
final class FleetChangeLog {

    private static final Logger LOG = LoggerFactory.getLogger(FleetChangeLog.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** At the first purge, the slots this far behind the retention are deleted too: what a previous run left. */
    static final Duration LEFTOVER_LOOKBACK = Duration.ofHours(1);

    private final MongoDatabase db;
    private final String instance;
    private final Clock clock;
    /** The newest slot deleted so far; -1 before the first purge. Timer thread only. */
    private long purgedThrough = -1;

    FleetChangeLog(MongoDatabase db, String instance, Clock clock) {
        this.db = db;
        this.instance = instance;
        this.clock = clock;
    }

    /** Records that the documents of {@code meterIds} were just written (nothing when empty). */
    void record(Collection<String> meterIds) {
        if (meterIds.isEmpty()) {
            return;
        }
        var now = clock.instant();
        Mono.from(db.getCollection(FLEET_CHANGES).updateOne(Filters.eq(ID, FleetFeed.slotId(instance, FleetFeed.slotOf(now))),
                FleetFeed.append(instance, meterIds, now), new UpdateOptions().upsert(true))).block(TIMEOUT);
    }

    /** Deletes this instance's slots older than the retention (those a previous run left within the lookback too). */
    void purge() {
        long through = FleetFeed.slotOf(clock.instant().minus(FleetFeed.RETENTION));
        long from = purgedThrough >= 0 ? purgedThrough + 1
                : FleetFeed.slotOf(clock.instant().minus(FleetFeed.RETENTION).minus(LEFTOVER_LOOKBACK));
        if (from > through) {
            return;
        }
        try {
            List<String> ids = FleetFeed.slotIds(instance, from, through);
            Mono.from(db.getCollection(FLEET_CHANGES).deleteMany(Filters.in(ID, ids))).block(TIMEOUT);
            purgedThrough = through;
        } catch (RuntimeException e) {
            LOG.debug("Old fleet change slots not deleted yet: {}", e.toString());
        }
    }
}
