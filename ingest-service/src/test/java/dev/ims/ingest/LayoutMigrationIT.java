package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.DaySummary;
import dev.ims.store.SeqGaps;
import dev.ims.store.StoreLayout;
import dev.ims.store.testing.StoredReadings;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A store written by the ingest before issue 13 ({@code layout-v1/ims.mv}: one document per reading, hourly and
 * quarter-hour rollup collections; how it was made: its README) opened by today's ingest: every reading moves into its
 * hour bucket unchanged, the day documents gain the hours, quarters and seqs the old rollups held, the old
 * collections go, and a second start finds nothing to do.
 */
class LayoutMigrationIT {

    private static final List<String> V1_METERS = List.of("v1-plain", "v1-export", "v1-circuits", "v1-gaps");
    private static final UsageCalendar BERLIN = new UsageCalendar(ZoneId.of("Europe/Berlin"));

    private EmbeddedStore store;
    private MongoClient mongo;
    private MongoDatabase db;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void openACopyOfTheOldStore() throws Exception {
        IngestIT.startStack(); // its broker
        Path dir = Files.createTempDirectory("layout-v1");
        try (InputStream in = getClass().getResourceAsStream("/layout-v1/" + EmbeddedStoreOptions.FILE_NAME)) {
            Files.copy(in, dir.resolve(EmbeddedStoreOptions.FILE_NAME));
        }
        store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, dir));
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
        log.start();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LayoutMigration.class)).addAppender(log);
    }

    @AfterEach
    void close() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LayoutMigration.class)).detachAppender(log);
        mongo.close();
        store.close();
    }

    @Test
    void oldStore_isMigratedAtStart_readingsIntoBuckets_rollupsIntoDays_andASecondStartDoesNothing() throws Exception {
        // What the old layout holds, read before the new ingest touches it.
        Map<String, List<Document>> oldReadings = new HashMap<>();
        for (Document d : all(READINGS)) {
            d.remove(ID);
            oldReadings.computeIfAbsent(d.getString(METER_ID), k -> new ArrayList<>()).add(d);
        }
        assertThat(oldReadings.keySet()).containsExactlyInAnyOrderElementsOf(V1_METERS);
        assertThat(oldReadings.values().stream().mapToInt(List::size).sum()).isEqualTo(2268);
        List<Document> oldHours = all(HOURLY);
        List<Document> oldQuarters = all(QUARTER);
        List<Document> oldDays = all(DAILY);
        assertThat(oldHours).isNotEmpty();
        assertThat(oldQuarters).isNotEmpty();

        withIngest("migrate-1");

        assertThat(messages()).anyMatch(m -> m.startsWith("Migrating 2268 readings"))
                .anyMatch(m -> m.startsWith("Migrated 2268 readings of 4 meter(s)"))
                .anyMatch(m -> m.matches("Migrated \\d+ of 2268 readings \\(\\d+ %\\)"));
        for (String meter : V1_METERS) {
            List<Document> stored = StoredReadings.of(db, meter);
            List<Document> old = oldReadings.get(meter);
            assertThat(stored).as(meter).hasSameSizeAs(old).containsExactlyInAnyOrderElementsOf(old);
            assertThat(stored.stream().map(d -> d.get(SEQ)).distinct().count()).as(meter).isEqualTo(old.size());
        }
        assertThat(Mono.from(db.getCollection(READINGS).countDocuments(Filters.exists(SEQ))).block()).isZero();
        assertThat(Flux.from(db.getCollection(READINGS).listIndexes()).collectList().block())
                .extracting(i -> i.get("key", Document.class).keySet()).containsOnly(Set.of(ID));
        assertThat(Flux.from(db.listCollectionNames()).collectList().block()).doesNotContain(HOURLY, QUARTER);

        Map<String, DaySummary> days = new HashMap<>();
        Map<String, Document> dayDocs = new HashMap<>();
        for (Document d : all(DAILY)) {
            days.put(d.getString(ID), DaySummary.from(d));
            dayDocs.put(d.getString(ID), d);
        }
        assertThat(days.keySet()).containsExactlyInAnyOrderElementsOf(oldDays.stream().map(d -> d.getString(ID)).toList());
        for (Document old : oldDays) {
            Document now = dayDocs.get(old.getString(ID));
            for (String field : List.of(MIN_KWH, MAX_KWH, FIRST_TS, LAST_TS, MIN_EXPORT_KWH, MAX_EXPORT_KWH, CIRCUITS, ZONE, DAY, METER_ID)) {
                assertThat(now.get(field)).as(old.getString(ID) + " " + field).isEqualTo(old.get(field));
            }
            assertThat(now).containsKeys(StoreLayout.HOURS, StoreLayout.QUARTERS, StoreLayout.SEQ_BITS);
        }
        for (Document old : oldHours) {
            Instant hour = old.getDate(HOUR).toInstant();
            Document span = StoredReadings.hour(db, old.getString(METER_ID), hour, BERLIN);
            assertThat(span).as(old.getString(ID)).isNotNull();
            for (String field : List.of(MIN_KWH, MAX_KWH, MIN_EXPORT_KWH, MAX_EXPORT_KWH, CIRCUITS)) {
                assertThat(span.get(field)).as(old.getString(ID) + " " + field).isEqualTo(old.get(field));
            }
        }
        for (Document old : oldQuarters) {
            Document span = StoredReadings.quarter(db, old.getString(METER_ID), old.getDate(START).toInstant(), BERLIN);
            assertThat(span).as(old.getString(ID)).isNotNull();
            for (String field : List.of(MIN_KWH, MAX_KWH, MIN_EXPORT_KWH, MAX_EXPORT_KWH)) {
                assertThat(span.get(field)).as(old.getString(ID) + " " + field).isEqualTo(old.get(field));
            }
        }
        assertThat(oldHours.size()).isEqualTo(days.values().stream().mapToInt(d -> d.hours().size()).sum());
        assertThat(oldQuarters.size()).isEqualTo(days.values().stream().mapToInt(d -> d.quarters().size()).sum());
        for (String meter : V1_METERS) {
            SeqGaps gaps = new SeqGaps();
            Set<Long> fromBits = new TreeSet<>();
            days.values().stream().filter(d -> d.meterId().equals(meter)).forEach(d -> {
                gaps.add(d.seqBits());
                d.seqBits().forEach((block, bits) -> {
                    for (int b = 0; b < 64; b++) {
                        if ((bits & (1L << b)) != 0) {
                            fromBits.add(block * 64 + b);
                        }
                    }
                });
            });
            assertThat(fromBits).as(meter).containsExactlyInAnyOrderElementsOf(
                    oldReadings.get(meter).stream().map(d -> ((Number) d.get(SEQ)).longValue()).toList());
            // Only the meter with gaps (every 7th seq from seq 3 on) has any.
            assertThat(gaps.gaps(1000).gaps().isEmpty()).as(meter).isEqualTo(!meter.equals("v1-gaps"));
            Document m = one(METERS, meter);
            assertThat(m.getDate(StoreLayout.FIRST_READING_TS)).isEqualTo(date("2026-10-23T22:00:00Z"));
            assertThat(m.get(LAST_SEQ, Number.class).longValue()).isEqualTo(oldReadings.get(meter).stream()
                    .mapToLong(d -> ((Number) d.get(SEQ)).longValue()).max().orElseThrow());
        }

        // A second start: nothing to migrate, nothing logged, nothing changed.
        List<Document> bucketsBefore = all(READINGS);
        log.list.clear();
        withIngest("migrate-2");
        assertThat(messages()).isEmpty();
        assertThat(all(READINGS)).isEqualTo(bucketsBefore);

        // Killed after writing a batch and before deleting its old documents: the next start converts them again, harmlessly.
        List<Document> leftOver = oldReadings.get("v1-export").subList(0, 300);
        Mono.from(db.getCollection(READINGS).insertMany(leftOver.stream().map(Document::new).toList())).block();
        LayoutMigration.Result again = new LayoutMigration(db, BERLIN, 128).run();
        assertThat(again.migrated()).isEqualTo(300);
        assertThat(again.meters()).isEqualTo(1);
        assertThat(all(READINGS)).isEqualTo(bucketsBefore);
        assertThat(days.keySet()).allSatisfy(id -> assertThat(DaySummary.from(one(DAILY, id))).usingRecursiveComparison().isEqualTo(days.get(id)));
    }

    /** Starts an ingest on the store (which migrates it first) and stops it. */
    private void withIngest(String clientId) throws Exception {
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "Europe/Berlin"), Map.of())
                .withMqttUrl(IngestIT.broker.url()).withMongoUri(store.connectionString()).withMqttCredential(IngestIT.ids.ingest(clientId));
        try (IngestService ingest = new IngestService(IngestSettings.of(ims, clientId).alone())) {
            ingest.start().toCompletableFuture().get();
        }
    }

    private List<String> messages() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private List<Document> all(String collection) {
        return Flux.from(db.getCollection(collection).find().sort(new Document(ID, 1))).collectList().block();
    }

    private Document one(String collection, String id) {
        return Mono.from(db.getCollection(collection).find(Filters.eq(ID, id)).first()).block();
    }

    private static java.util.Date date(String instant) {
        return java.util.Date.from(Instant.parse(instant));
    }
}
