package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.FleetFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The ingest's side of the fleet change feed on the embedded store: what a flush records, and what a purge deletes. */
class FleetChangeLogIT {

    private static final Instant T0 = Instant.parse("2026-11-30T12:00:02Z");
    private static EmbeddedStore store;
    private static MongoClient client;

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(T0);

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    @BeforeAll
    static void start() {
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        client = MongoClients.create(store.connectionString());
    }

    @AfterAll
    static void stop() {
        client.close();
        store.close();
    }

    private static Document slot(MongoDatabase db, String id) {
        return Mono.from(db.getCollection(FLEET_CHANGES).find(Filters.eq(ID, id)).first()).block();
    }

    @Test
    void aFlush_recordsItsMetersOnce_inTheInstancesCurrentSlot_andASecondWriteAppends() {
        MongoDatabase db = client.getDatabase("feed1");
        MovingClock clock = new MovingClock();
        FleetChangeLog log = new FleetChangeLog(db, "ingest-x", clock);
        DeferredRollups rollups = new DeferredRollups(db, new UsageCalendar(ZoneId.of("Europe/Berlin")), "ingest-x", Duration.ZERO, clock)
                .changesTo(log);
        rollups.add(List.of(reading("m-1", 1), reading("m-2", 1), reading("m-1", 2)), T0);
        rollups.flush();
        String id = FleetFeed.slotId("ingest-x", FleetFeed.slotOf(T0));
        Document slot = slot(db, id);
        assertThat(slot.getList(FEED_CHANGED, String.class)).containsExactly("m-1", "m-2");
        assertThat(slot.getString(FEED_INSTANCE)).isEqualTo("ingest-x");
        assertThat(Mono.from(db.getCollection(METERS).countDocuments()).block()).as("the meters were written first").isEqualTo(2);

        // The same meter again in the same slot: listed again, so a reader that took the first mention learns of it.
        log.record(List.of("m-2", "m-3"));
        assertThat(slot(db, id).getList(FEED_CHANGED, String.class)).containsExactly("m-1", "m-2", "m-2", "m-3");
        log.record(List.of());
        assertThat(slot(db, id).getList(FEED_CHANGED, String.class)).hasSize(4);
    }

    @Test
    void purge_deletesOnlyThisInstancesSlotsOlderThanTheRetention_includingThoseAPreviousRunLeft() {
        MongoDatabase db = client.getDatabase("feed2");
        MovingClock clock = new MovingClock();
        FleetChangeLog log = new FleetChangeLog(db, "ingest-x", clock);
        FleetChangeLog other = new FleetChangeLog(db, "ingest-y", clock);
        clock.now.set(T0.minus(Duration.ofMinutes(40))); // a previous run's
        log.record(List.of("old"));
        other.record(List.of("other-old"));
        clock.now.set(T0.minus(Duration.ofMinutes(5)));
        log.record(List.of("recent"));
        clock.now.set(T0);
        log.purge();
        List<String> left = Flux.from(db.getCollection(FLEET_CHANGES).find()).map(d -> d.getString(ID)).collectList().block();
        assertThat(left).containsExactlyInAnyOrder(FleetFeed.slotId("ingest-x", FleetFeed.slotOf(T0.minus(Duration.ofMinutes(5)))),
                FleetFeed.slotId("ingest-y", FleetFeed.slotOf(T0.minus(Duration.ofMinutes(40)))));

        // Later purges go on from where the last one stopped.
        clock.now.set(T0.plus(Duration.ofMinutes(11)));
        log.purge();
        assertThat(Flux.from(db.getCollection(FLEET_CHANGES).find()).map(d -> d.getString(ID)).collectList().block())
                .containsExactly(FleetFeed.slotId("ingest-y", FleetFeed.slotOf(T0.minus(Duration.ofMinutes(40)))));
    }

    private static Reading reading(String meter, long seq) {
        return new Reading(meter, seq, T0.minusSeconds(60 - seq), 10 + seq * 0.01, 100.0, 230.0, null, MeterStatus.OK, null, null, Map.of());
    }
}
