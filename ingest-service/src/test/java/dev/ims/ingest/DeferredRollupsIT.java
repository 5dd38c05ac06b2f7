package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.StoreLayout;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Day and meter writes held past the acknowledgement ({@link DeferredRollups}) against the embedded on-disk store: a run
 * killed before its flush loses no usage (the next start re-rolls its journal), and two instances flushing the same meter
 * and day in either order leave exactly the documents one writer writing everything at once leaves.
 */
class DeferredRollupsIT {

    private static final UsageCalendar BERLIN = new UsageCalendar(ZoneId.of("Europe/Berlin"));
    private static final Instant RECEIVED = Instant.parse("2026-11-24T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(RECEIVED, ZoneId.of("UTC"));
    private static EmbeddedStore store;
    private static MongoClient client;

    @BeforeAll
    static void start() throws Exception {
        store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, Files.createTempDirectory("deferred-rollups")));
        client = MongoClients.create(store.connectionString());
    }

    @AfterAll
    static void stop() {
        client.close();
        store.close();
    }

    /** Readings of one meter over two hours and a day change, with export and a circuit (every part of a day document). */
    private static List<Reading> readings(String meter) {
        Instant t0 = Instant.parse("2026-11-24T22:30:00Z"); // Berlin 23:30: the readings cross into the 25th
        List<Reading> out = new ArrayList<>();
        for (int seq = 0; seq < 12; seq++) {
            out.add(new Reading(meter, seq, t0.plusSeconds(600L * seq), 100 + seq * 0.25, 500.0, 230.0, 2.2, MeterStatus.OK, null,
                    RelayState.ON, 3 + seq * 0.01, 0.0, List.of(new CircuitReading("boiler", 800.0, 7 + seq * 0.1, RelayState.ON, null)),
                    Map.of()));
        }
        return out;
    }

    /** What the ingest does with a batch while busy: journal, buckets, then held (and acknowledged). */
    private static void storeDeferred(MongoDatabase db, DeferredRollups rollups, List<Reading> batch) {
        rollups.journal(batch);
        Mono.from(db.getCollection(StoreLayout.READINGS).bulkWrite(BatchWrites.of(batch, BERLIN, RECEIVED).buckets(),
                new BulkWriteOptions().ordered(false))).block();
        rollups.add(batch, RECEIVED);
    }

    /** Everything written at once, the way the ingest wrote a batch before deferral. */
    private static void storeAtOnce(MongoDatabase db, List<Reading> readings) {
        BatchWrites w = BatchWrites.of(readings, BERLIN, RECEIVED);
        BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
        Mono.from(db.getCollection(StoreLayout.READINGS).bulkWrite(w.buckets(), unordered)).block();
        Mono.from(db.getCollection(StoreLayout.DAYS).bulkWrite(w.days(), unordered)).block();
        Mono.from(db.getCollection(METERS).bulkWrite(w.meters(), unordered)).block();
    }

    private static List<Document> all(MongoDatabase db, String collection) {
        return Flux.from(db.getCollection(collection).find().sort(Sorts.ascending(ID))).collectList().block();
    }

    private static List<Document> withoutRev(List<Document> meters) {
        meters.forEach(m -> m.remove(dev.ims.model.storage.StoreSchema.REV));
        return meters;
    }

    private static void assertSameRollups(MongoDatabase actual, MongoDatabase expected) {
        assertThat(all(expected, StoreLayout.DAYS)).hasSize(2);
        assertThat(all(actual, StoreLayout.DAYS)).isEqualTo(all(expected, StoreLayout.DAYS));
        // The meter documents alike but for their write counter, which every write moves (readers' cache key).
        assertThat(withoutRev(all(actual, METERS))).isEqualTo(withoutRev(all(expected, METERS)));
        assertThat(all(actual, METERS)).allSatisfy(m -> assertThat(m.get(dev.ims.model.storage.StoreSchema.REV)).isInstanceOf(Long.class));
        assertThat(all(actual, StoreLayout.READINGS)).isEqualTo(all(expected, StoreLayout.READINGS));
    }

    @Test
    void killedAfterTheAcknowledgementBeforeTheFlush_theNextStartReRollsTheJournal_usageAsIfWrittenAtOnce() {
        MongoDatabase db = client.getDatabase("killed");
        MongoDatabase reference = client.getDatabase("killed-reference");
        List<Reading> readings = readings("IMS-killed");
        DeferredRollups first = new DeferredRollups(db, BERLIN, "ingest-a", Duration.ofSeconds(2), CLOCK);
        storeDeferred(db, first, readings.subList(0, 5));
        storeDeferred(db, first, readings.subList(5, 12));
        // Killed here: the readings are in their buckets (and acknowledged), their days and meter not written.
        assertThat(all(db, StoreLayout.DAYS)).isEmpty();
        assertThat(all(db, METERS)).isEmpty();
        assertThat(all(db, DeferredRollups.JOURNAL)).hasSize(2);

        // Another instance's journal is not this one's to re-roll.
        assertThat(new DeferredRollups(db, BERLIN, "ingest-b", Duration.ofSeconds(2), CLOCK).recover()).isZero();
        assertThat(all(db, StoreLayout.DAYS)).isEmpty();

        DeferredRollups restarted = new DeferredRollups(db, BERLIN, "ingest-a", Duration.ofSeconds(2), CLOCK);
        assertThat(restarted.recover()).isEqualTo(3); // 23:00, 00:00, 01:00 local
        storeAtOnce(reference, readings);
        assertSameRollups(db, reference);
        assertThat(all(db, DeferredRollups.JOURNAL)).isEmpty();
        assertThat(restarted.recover()).isZero();
    }

    @Test
    void anInstanceThatNeverComesBack_itsJournalIsAdoptedByAnother_onlyOnceOldEnough_usageAsIfWrittenAtOnce() {
        MongoDatabase db = client.getDatabase("orphaned");
        MongoDatabase reference = client.getDatabase("orphaned-reference");
        List<Reading> readings = readings("IMS-orphan");
        DeferredRollups gone = new DeferredRollups(db, BERLIN, "ingest-scaled-down", Duration.ofSeconds(2), CLOCK);
        storeDeferred(db, gone, readings.subList(0, 5));
        storeDeferred(db, gone, readings.subList(5, 12));
        // Killed here and never started again: no recover() of "ingest-scaled-down" will ever run.

        java.util.concurrent.atomic.AtomicReference<Instant> now = new java.util.concurrent.atomic.AtomicReference<>(RECEIVED);
        Clock moving = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneId.of("UTC");
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        DeferredRollups survivor = new DeferredRollups(db, BERLIN, "ingest-b", Duration.ofSeconds(2), moving);
        assertThat(survivor.orphanAge()).isEqualTo(DeferredRollups.MIN_ORPHAN_AGE);
        assertThat(survivor.adoptDue()).as("not at once after the start").isFalse();
        now.set(RECEIVED.plus(DeferredRollups.ADOPT_EVERY));
        assertThat(survivor.adoptDue()).isTrue();
        // A minute old: its owner may still be flushing, left alone.
        assertThat(survivor.adoptOrphans()).isZero();
        assertThat(all(db, StoreLayout.DAYS)).isEmpty();
        assertThat(all(db, DeferredRollups.JOURNAL)).hasSize(2);
        assertThat(survivor.adoptDue()).isFalse();

        now.set(RECEIVED.plus(DeferredRollups.MIN_ORPHAN_AGE).plusSeconds(1));
        assertThat(survivor.adoptOrphans()).isEqualTo(3); // 23:00, 00:00, 01:00 local
        storeAtOnce(reference, readings);
        assertSameRollups(db, reference);
        assertThat(all(db, DeferredRollups.JOURNAL)).isEmpty();
        assertThat(survivor.adoptOrphans()).isZero();
    }

    @Test
    void flushed_theJournalIsGone_andTheDocumentsAreThoseOfAWriteAtOnce() {
        MongoDatabase db = client.getDatabase("flushed");
        MongoDatabase reference = client.getDatabase("flushed-reference");
        List<Reading> readings = readings("IMS-flushed");
        DeferredRollups rollups = new DeferredRollups(db, BERLIN, "ingest-a", Duration.ofSeconds(2), CLOCK);
        storeDeferred(db, rollups, readings.subList(0, 6));
        storeDeferred(db, rollups, readings.subList(6, 12));
        storeDeferred(db, rollups, readings.subList(3, 9)); // a redelivery beside new readings: held once
        assertThat(rollups.size()).isEqualTo(12);
        rollups.flush();
        assertThat(rollups.isEmpty()).isTrue();
        assertThat(all(db, DeferredRollups.JOURNAL)).isEmpty();
        storeAtOnce(reference, readings);
        assertSameRollups(db, reference);
    }

    @ParameterizedTest(name = "{0} flushes first")
    @ValueSource(strings = {"a", "b"})
    void twoInstancesOnTheSameMeterAndDay_flushingInEitherOrder_leaveTheDocumentsOfOneWriter(String firstToFlush) {
        MongoDatabase db = client.getDatabase("two-" + firstToFlush);
        MongoDatabase reference = client.getDatabase("two-" + firstToFlush + "-reference");
        List<Reading> readings = readings("IMS-shared");
        DeferredRollups a = new DeferredRollups(db, BERLIN, "ingest-a", Duration.ofSeconds(2), CLOCK);
        DeferredRollups b = new DeferredRollups(db, BERLIN, "ingest-b", Duration.ofSeconds(2), CLOCK);
        // The shared subscription deals the meter's readings to both instances, interleaved.
        List<Reading> toA = new ArrayList<>();
        List<Reading> toB = new ArrayList<>();
        for (Reading r : readings) {
            (r.seq() % 2 == 0 ? toA : toB).add(r);
        }
        storeDeferred(db, a, toA);
        storeDeferred(db, b, toB);
        if (firstToFlush.equals("a")) {
            a.flush();
            b.flush();
        } else {
            b.flush();
            a.flush();
        }
        storeAtOnce(reference, readings);
        assertSameRollups(db, reference);
        assertThat(all(db, DeferredRollups.JOURNAL)).isEmpty();
    }
}
