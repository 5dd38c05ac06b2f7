package dev.ims.portal.store;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.StoreSeed;
import dev.ims.store.BatchWrites;
import dev.ims.store.DaySummary;
import dev.ims.store.SeqGaps;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The repositories over the embedded store, seeded through the ingest's write code, across chunks, gaps and DST changes. */
class RepositoriesIT {

    static EmbeddedStore store;
    static MongoClient mongo;
    static MongoDatabase db;
    static final UsageCalendar BERLIN = new UsageCalendar(StoreSeed.BERLIN);

    @BeforeAll
    static void start() {
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
    }

    @AfterAll
    static void stop() {
        mongo.close();
        store.close();
    }

    @BeforeEach
    void clean() {
        for (String c : List.of(METERS, READINGS, DAILY)) {
            Mono.from(db.getCollection(c).drop()).block();
        }
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void newest_walksBackOverEmptyHoursAndDays_andStopsAtTheLimit_newestFirst() throws Exception {
        // Ten readings a day at 10:00..10:09 on 60 days, with 20 empty days between the first 30 and the last 10.
        List<Reading> readings = new ArrayList<>();
        LocalDate first = LocalDate.parse("2026-01-01");
        long seq = 0;
        for (int d = 0; d < 60; d++) {
            if (d >= 30 && d < 50) {
                continue;
            }
            Instant t = first.plusDays(d).atTime(10, 0).atZone(StoreSeed.BERLIN).toInstant();
            for (int i = 0; i < 10; i++) {
                readings.add(StoreSeed.reading("m-1", seq++, t.plusSeconds(60L * i), 100 + seq));
            }
        }
        StoreSeed.store(db, readings);
        ReadingRepository repo = new ReadingRepository(db, BERLIN);

        List<StoredReading> newest = await(repo.newest("m-1", null, null, 25));
        assertThat(newest).extracting(r -> r.reading().seq()).containsExactlyElementsOf(seqsDescending(399, 25));
        // Across the 20 empty days: the last 10 days hold 100 readings, the next 50 come from before the gap.
        assertThat(await(repo.newest("m-1", null, null, 150))).extracting(r -> r.reading().seq())
                .containsExactlyElementsOf(seqsDescending(399, 150));
        // A range: from included, to excluded; a range before the first reading or after the last holds none.
        Instant day2 = first.plusDays(1).atTime(10, 0).atZone(StoreSeed.BERLIN).toInstant();
        assertThat(await(repo.newest("m-1", day2, day2.plusSeconds(180), 100))).extracting(r -> r.reading().seq())
                .containsExactly(12L, 11L, 10L);
        assertThat(await(repo.newest("m-1", null, Instant.parse("2025-12-01T00:00:00Z"), 100))).isEmpty();
        assertThat(await(repo.newest("m-1", Instant.parse("2027-01-01T00:00:00Z"), null, 100))).isEmpty();
        assertThat(await(repo.newest("nobody", null, null, 100))).isEmpty();
        // All of them, and the stored values come back whole.
        List<StoredReading> all = await(repo.newest("m-1", null, null, 1000));
        assertThat(all).hasSize(400);
        assertThat(all.get(399).reading()).isEqualTo(readings.get(0));
        assertThat(all.get(0).receivedAt()).isNotNull();
    }

    /**
     * A busy ingest writes a reading's hour bucket before it acknowledges it and the meter document up to
     * {@code INGEST_ROLLUP_DELAY_MS} later: the newest readings come from the buckets, so the reading is seen at once.
     */
    @Test
    void newest_seesAReadingInItsBucket_beforeTheMeterDocumentIsWritten() throws Exception {
        Instant t = Instant.parse("2026-03-10T09:59:40Z");
        StoreSeed.store(db, List.of(StoreSeed.reading("m-1", 1, t, 10.0)));
        Reading later = StoreSeed.reading("m-1", 2, t.plusSeconds(30), 10.1); // in the next hour's bucket
        Mono.from(db.getCollection(READINGS).bulkWrite(BatchWrites.of(List.of(later), BERLIN, t.plusSeconds(31)).buckets())).block();

        ReadingRepository repo = new ReadingRepository(db, BERLIN, java.time.Clock.fixed(t.plusSeconds(32), java.time.ZoneOffset.UTC));
        assertThat(await(repo.newest("m-1", null, null, 5))).extracting(r -> r.reading().seq()).containsExactly(2L, 1L);
        assertThat(await(repo.newest("m-1", null, t.plusSeconds(1), 5))).extracting(r -> r.reading().seq()).containsExactly(1L);
    }

    private static List<Long> seqsDescending(long from, int n) {
        List<Long> out = new ArrayList<>();
        for (long s = from; s > from - n; s--) {
            out.add(s);
        }
        return out;
    }

    @Test
    void stream_yieldsEveryReadingOnce_oldestFirst_acrossTheFallBackDay() throws Exception {
        // Every 10 minutes over 2026-10-24..26 (the 25th has 25 hours in Berlin).
        Instant start = LocalDate.parse("2026-10-24").atStartOfDay(StoreSeed.BERLIN).toInstant();
        Instant end = LocalDate.parse("2026-10-27").atStartOfDay(StoreSeed.BERLIN).toInstant();
        List<Reading> readings = new ArrayList<>();
        long seq = 0;
        for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofMinutes(10))) {
            readings.add(StoreSeed.reading("m-1", seq++, t, 100 + seq * 0.01));
        }
        java.util.Collections.shuffle(readings, new java.util.Random(1));
        StoreSeed.store(db, readings);
        ReadingRepository.Cursor cursor = await(new ReadingRepository(db, BERLIN).stream("m-1", null, null));
        List<Long> seen = new ArrayList<>();
        int chunks = 0;
        for (List<StoredReading> chunk = await(cursor.next()); !chunk.isEmpty(); chunk = await(cursor.next())) {
            chunks++;
            chunk.forEach(r -> seen.add(r.reading().seq()));
        }
        assertThat(seen).hasSize(readings.size()).isSorted().doesNotHaveDuplicates();
        assertThat(seen.get(0)).isZero();
        assertThat(chunks).isEqualTo((int) Math.ceil(73 / 24.0)); // 24 + 25 + 24 hours, a day of buckets a chunk
        assertThat(await(cursor.next())).isEmpty();
    }

    @Test
    void lastDayBefore_looksBackPastAGapOfMoreThanAMonth_butNotBeforeTheFirstReading() throws Exception {
        StoreSeed.store(db, List.of(StoreSeed.reading("m-1", 0, Instant.parse("2026-01-05T10:00:00Z"), 10),
                StoreSeed.reading("m-1", 1, Instant.parse("2026-01-05T12:00:00Z"), 12),
                StoreSeed.reading("m-1", 2, Instant.parse("2026-04-01T10:00:00Z"), 20)));
        UsageRepository repo = new UsageRepository(db, BERLIN);
        DaySummary before = await(repo.lastDayBefore("m-1", LocalDate.parse("2026-04-01"), UsageRepository.Part.DAY, d -> true));
        assertThat(before.day()).isEqualTo(LocalDate.parse("2026-01-05"));
        assertThat(before.maxKwh()).isEqualTo(12.0);
        assertThat(await(repo.lastDayBefore("m-1", LocalDate.parse("2026-01-05"), UsageRepository.Part.DAY, d -> true))).isNull();
        assertThat(await(repo.lastDayBefore("m-1", LocalDate.parse("2026-04-02"), UsageRepository.Part.DAY, d -> d.maxExportKwh() != null)))
                .isNull();
        // Only the parts asked for are read.
        List<DaySummary> days = await(repo.days("m-1", LocalDate.parse("2026-01-01"), LocalDate.parse("2026-04-30"), UsageRepository.Part.DAY));
        assertThat(days).extracting(DaySummary::day).containsExactly(LocalDate.parse("2026-01-05"), LocalDate.parse("2026-04-01"));
        assertThat(days.get(0).hours()).isEmpty();
        assertThat(await(repo.days("m-1", LocalDate.parse("2026-01-05"), LocalDate.parse("2026-01-05"), UsageRepository.Part.HOURS)).get(0)
                .hours()).hasSize(2);
    }

    @Test
    void gaps_spanTheWholeHistory_fromSeqZero_andAreTruncatedAtTheMaximum() throws Exception {
        List<Reading> readings = new ArrayList<>();
        Instant t = Instant.parse("2025-06-01T00:00:00Z");
        for (long seq = 3; seq < 2_000; seq++) {
            if (seq % 100 != 50) { // one missing in every hundred, over many days
                readings.add(StoreSeed.reading("m-1", seq, t.plus(Duration.ofHours(4 * seq)), seq));
            }
        }
        StoreSeed.store(db, readings);
        UsageRepository repo = new UsageRepository(db, BERLIN);
        SeqGaps.Result all = await(repo.gaps("m-1", 1_000));
        assertThat(all.truncated()).isFalse();
        assertThat(all.gaps()).hasSize(1 + 20).first().isEqualTo(new SeqGaps.Gap(0, 2));
        assertThat(all.gaps().get(20)).isEqualTo(new SeqGaps.Gap(1_950, 1_950));
        SeqGaps.Result some = await(repo.gaps("m-1", 5));
        assertThat(some.truncated()).isTrue();
        assertThat(some.gaps()).hasSize(5);
        assertThat(await(repo.gaps("nobody", 10)).gaps()).isEmpty();
    }

    @Test
    void fleetDays_areEveryOtherMetersDaysInTheRange_byMeter() throws Exception {
        List<Reading> readings = new ArrayList<>();
        for (String meter : List.of("m-1", "m-2", "m-3")) {
            for (int d = 0; d < 5; d++) {
                Instant t = LocalDate.parse("2026-02-01").plusDays(d).atTime(12, 0).atZone(StoreSeed.BERLIN).toInstant();
                readings.add(StoreSeed.reading(meter, d, t, 10 * d));
            }
        }
        StoreSeed.store(db, readings);
        var fleet = await(new UsageRepository(db, BERLIN).fleetDays("m-2", LocalDate.parse("2026-02-02"), LocalDate.parse("2026-02-04")));
        assertThat(fleet).containsOnlyKeys("m-1", "m-3");
        assertThat(fleet.get("m-1")).extracting(DaySummary::day).containsExactly(LocalDate.parse("2026-02-02"), LocalDate.parse("2026-02-03"),
                LocalDate.parse("2026-02-04"));
        assertThat(fleet.get("m-3").get(2).maxKwh()).isEqualTo(30.0);
    }
}
