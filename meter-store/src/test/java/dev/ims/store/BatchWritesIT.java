package dev.ims.store;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The layout written through the real driver into the embedded on-disk store, read back as readers do. */
class BatchWritesIT {

    static EmbeddedStore store;
    static MongoClient client;
    static MongoDatabase db;
    static final UsageCalendar BERLIN = new UsageCalendar(ZoneId.of("Europe/Berlin"));

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("batch-writes");
        store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, dir));
        client = MongoClients.create(store.connectionString());
        db = client.getDatabase("layout");
    }

    @AfterAll
    static void stop() {
        client.close();
        store.close();
    }

    static Reading reading(String meter, long seq, Instant ts, double kwh, Double exportKwh, List<CircuitReading> circuits) {
        return new Reading(meter, seq, ts, kwh, 500.0, 230.0, 2.2, MeterStatus.OK, null, RelayState.ON, exportKwh, exportKwh == null ? null : 0.0,
                circuits, Map.of());
    }

    static void apply(BatchWrites w) {
        BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
        Mono.when(db.getCollection(StoreLayout.READINGS).bulkWrite(w.buckets(), unordered),
                db.getCollection(StoreLayout.DAYS).bulkWrite(w.days(), unordered),
                db.getCollection(METERS).bulkWrite(w.meters(), unordered)).block();
    }

    static List<Document> all(String collection, String meter) {
        return Flux.from(db.getCollection(collection).find(Filters.eq(METER_ID, meter))).collectList().block();
    }

    @Test
    void aBatchIsOneWritePerBucketDayAndMeterAndAppliesIdempotently() {
        String meter = "IMS-batch";
        Instant t0 = Instant.parse("2026-03-29T00:00:00Z"); // Berlin: 01:00 local, clocks jump at 02:00 local (01:00Z)
        List<Reading> batch = new ArrayList<>();
        for (int i = 0; i < 180; i++) { // three hours of one-minute readings, over the DST change
            batch.add(reading(meter, i, t0.plusSeconds(60L * i), 100 + i * 0.01, 5 + i * 0.001,
                    List.of(new CircuitReading("boiler", 1000.0, 10 + i * 0.005, RelayState.ON, null))));
        }
        BatchWrites w = BatchWrites.of(batch, BERLIN, Instant.parse("2026-03-29T03:00:00Z"));
        assertThat(w.buckets()).hasSize(3);
        assertThat(w.days()).hasSize(1);
        assertThat(w.meters()).hasSize(1);
        apply(w);
        List<Document> bucketsOnce = all(StoreLayout.READINGS, meter);
        List<Document> daysOnce = all(StoreLayout.DAYS, meter);
        // Applied again (a replay after a crash), and one reading redelivered alone: nothing changes.
        apply(w);
        apply(BatchWrites.of(List.of(batch.get(42)), BERLIN, Instant.parse("2026-03-29T03:00:01Z")));
        assertThat(all(StoreLayout.READINGS, meter)).isEqualTo(bucketsOnce);
        assertThat(all(StoreLayout.DAYS, meter)).isEqualTo(daysOnce);

        List<Document> readings = new ArrayList<>();
        bucketsOnce.stream().sorted((a, b) -> a.getDate(HOUR).compareTo(b.getDate(HOUR))).forEach(b -> readings.addAll(BucketReadings.of(b)));
        assertThat(readings).hasSize(180);
        for (int i = 0; i < 180; i++) {
            assertThat(ReadingDocs.sameReading(readings.get(i), batch.get(i))).as("seq %d", i).isTrue();
            assertThat(ReadingDocs.readingFrom(readings.get(i), null)).isEqualTo(batch.get(i));
        }
        // The bucket ids a reader computes for the range are the ones written.
        assertThat(StoreLayout.hourBucketIds(meter, t0, t0.plusSeconds(3 * 3600), BERLIN))
                .containsExactlyInAnyOrderElementsOf(bucketsOnce.stream().map(d -> d.getString(ID)).toList());

        DaySummary day = DaySummary.from(daysOnce.get(0));
        assertThat(day.day()).isEqualTo(LocalDate.parse("2026-03-29"));
        assertThat(day.minKwh()).isEqualTo(100.0);
        assertThat(day.maxKwh()).isEqualTo(100 + 179 * 0.01);
        assertThat(day.maxExportKwh()).isEqualTo(5 + 179 * 0.001);
        assertThat(day.circuits().get("boiler")).containsExactly(10.0, 10 + 179 * 0.005);
        assertThat(day.hours()).extracting(SpanSummary::start).containsExactly(t0, t0.plusSeconds(3600), t0.plusSeconds(7200));
        assertThat(day.hours().get(1).minKwh()).isEqualTo(100 + 60 * 0.01);
        assertThat(day.hours().get(1).maxKwh()).isEqualTo(100 + 119 * 0.01);
        assertThat(day.hours().get(1).circuits().get("boiler")[1]).isEqualTo(10 + 119 * 0.005);
        assertThat(day.quarters()).hasSize(12);
        assertThat(day.quarters().get(11).maxKwh()).isEqualTo(100 + 179 * 0.01);
        assertThat(new SeqGaps().add(day.seqBits()).gaps(10).gaps()).isEmpty();

        Document m = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
        assertThat(m.get(LAST_SEQ)).isEqualTo(179L);
        assertThat(m.getDate(StoreLayout.FIRST_READING_TS).toInstant()).isEqualTo(t0);
        assertThat(m.get(LATEST, Document.class).get(SEQ)).isEqualTo(179L);
    }

    @Test
    void gapsAndOutOfOrderBatchesMergeIntoTheSameDocuments() {
        String meter = "IMS-gaps";
        Instant t0 = Instant.parse("2026-11-29T22:50:00Z"); // 23:50 local: the batch crosses midnight
        List<Reading> later = new ArrayList<>();
        List<Reading> earlier = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            if (i >= 10 && i < 13) {
                continue; // never sent
            }
            Reading r = reading(meter, i, t0.plusSeconds(60L * i), 1 + i, null, List.of());
            (i < 20 ? earlier : later).add(r);
        }
        apply(BatchWrites.of(later, BERLIN, Instant.now()));
        apply(BatchWrites.of(earlier, BERLIN, Instant.now()));
        List<Document> days = all(StoreLayout.DAYS, meter);
        assertThat(days).extracting(d -> d.getString(DAY)).containsExactlyInAnyOrder("2026-11-29", "2026-11-30");
        SeqGaps gaps = new SeqGaps();
        days.forEach(d -> gaps.add(DaySummary.from(d).seqBits()));
        assertThat(gaps.gaps(10).gaps()).containsExactly(new SeqGaps.Gap(10, 12));
        DaySummary first = DaySummary.from(days.stream().filter(d -> d.getString(DAY).equals("2026-11-29")).findFirst().orElseThrow());
        assertThat(first.maxKwh()).isEqualTo(10.0); // seq 9 at 23:59 local
        assertThat(first.maxExportKwh()).isNull();
        assertThat(first.hours()).hasSize(1);
        Document m = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
        assertThat(m.get(LATEST, Document.class).get(SEQ)).isEqualTo(29L); // the later batch, written first, stays latest
    }
}
