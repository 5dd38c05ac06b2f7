package dev.ims.portal.usage;

import dev.ims.portal.tariff.HourUsage;
import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.reading.Reading;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.portal.StoreSeed;
import dev.ims.portal.store.UsageRepository;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.Tariffs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The portal's usage cache never serves a figure the store no longer backs: a reading written through the ingest's write
 * code ({@code BatchWrites}) changes the answers at once, a late one in a past day too, and a tariff saved through the
 * portal re-prices at once. A service without the cache gives the same answers.
 */
class UsageCacheIT {

    static final ZoneId BERLIN = StoreSeed.BERLIN;
    static final String METER = "m-cache";
    static final LocalDate FIRST = LocalDate.parse("2026-02-01");
    static final LocalDate LAST = LocalDate.parse("2026-02-10");
    /** The day a reading is left out of, and written late in one test. */
    static final Instant LATE = LocalDate.parse("2026-02-03").atTime(10, 30).atZone(BERLIN).toInstant();
    static final Clock CLOCK = Clock.fixed(LocalDate.parse("2026-02-11").atTime(12, 0).atZone(BERLIN).toInstant(), BERLIN);
    static final TariffBook FLAT = new TariffBook(List.of(TariffVersion.flat(LocalDate.parse("2000-01-01"), "EUR", 0.25)));

    static EmbeddedStore store;
    static MongoClient mongo;
    static MongoDatabase db;

    SimpleMeterRegistry registry;
    Tariffs tariffs;
    UsageService cached;
    UsageService uncached;
    /** When the next batch is received: each one later than the one before, as the ingest's are. */
    Instant receivedAt;

    @BeforeAll
    static void start() {
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("usage-cache");
    }

    @AfterAll
    static void stop() {
        mongo.close();
        store.close();
    }

    @BeforeEach
    void seed() {
        for (String c : List.of(METERS, READINGS, DAILY, TARIFFS)) {
            Mono.from(db.getCollection(c).drop()).block();
        }
        receivedAt = Instant.parse("2026-02-11T00:00:00Z");
        // A reading every 30 minutes from the 1st to the 10th, the register rising 1 kWh an hour; one left out (LATE).
        List<Reading> readings = new ArrayList<>();
        Instant start = FIRST.atStartOfDay(BERLIN).toInstant();
        Instant end = LAST.plusDays(1).atStartOfDay(BERLIN).toInstant();
        for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofMinutes(30))) {
            if (!t.equals(LATE)) {
                readings.add(StoreSeed.reading(METER, t, kwhAt(t)));
            }
        }
        write(readings);
        registry = new SimpleMeterRegistry();
        tariffs = new Tariffs(db, FLAT, Duration.ofSeconds(30));
        cached = new UsageService(new UsageRepository(db, new UsageCalendar(BERLIN), 10_000).withMetrics(registry), tariffs, BERLIN, CLOCK);
        uncached = new UsageService(new UsageRepository(db, new UsageCalendar(BERLIN), 0), new Tariffs(db, FLAT, Duration.ZERO), BERLIN,
                CLOCK);
    }

    static double kwhAt(Instant t) {
        return 1000 + Duration.between(FIRST.atStartOfDay(BERLIN).toInstant(), t).toMinutes() / 60.0;
    }

    void write(List<Reading> readings) {
        receivedAt = receivedAt.plusSeconds(1);
        StoreSeed.store(db, BERLIN, readings, receivedAt);
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    double counted(String name, String result) {
        var c = registry.find(name).tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    static UsageService.Entry on(List<UsageService.Entry> entries, LocalDate day) {
        return entries.stream().filter(e -> e.period().equals(day.toString())).findFirst().orElseThrow();
    }

    @Test
    void dailyUsage_afterANewReading_changesAtOnce_andMatchesAnUncachedRead() throws Exception {
        List<UsageService.Entry> first = await(cached.daily(METER, FIRST, LAST));
        double readDays = counted("ims.portal.usage.days", "miss");
        assertThat(await(cached.daily(METER, FIRST, LAST))).isEqualTo(first);
        // The second answer came from memory: a figure hit, no day read again.
        assertThat(counted("ims.portal.usage.figures", "hit")).isEqualTo(1);
        assertThat(counted("ims.portal.usage.days", "miss")).isEqualTo(readDays);
        assertThat(on(first, LAST).kwh()).isCloseTo(24.0, within(1e-9));

        // A reading 5 kWh above the day's last, at 23:45 of the last day.
        Instant t = LAST.atTime(23, 45).atZone(BERLIN).toInstant();
        write(List.of(StoreSeed.reading(METER, t, kwhAt(t) + 5)));

        List<UsageService.Entry> after = await(cached.daily(METER, FIRST, LAST));
        assertThat(on(after, LAST).kwh()).isCloseTo(24.0 + 5.25, within(1e-9));
        assertThat(after).isEqualTo(await(uncached.daily(METER, FIRST, LAST)));
        assertThat(await(cached.monthly(METER, YearMonth.of(2026, 2), YearMonth.of(2026, 2))))
                .isEqualTo(await(uncached.monthly(METER, YearMonth.of(2026, 2), YearMonth.of(2026, 2))));
        assertThat(await(cached.peaks(METER, YearMonth.of(2026, 2), YearMonth.of(2026, 2))).get(0).kw()).isCloseTo(21.0, within(1e-9));
    }

    static org.bson.Document meterDocument() {
        return Mono.from(db.getCollection(METERS).find(new org.bson.Document(ID, METER))).block();
    }

    @Test
    void dailyUsage_ofTheMeterDocumentAPageReads_afterANewReading_changesAtOnce() throws Exception {
        // A page reads the meter document first and hands it over: its version keys the kept figures.
        List<UsageService.Entry> first = await(cached.daily(meterDocument(), FIRST, LAST));
        assertThat(await(cached.daily(meterDocument(), FIRST, LAST))).isEqualTo(first);
        assertThat(counted("ims.portal.usage.figures", "hit")).isEqualTo(1);

        Instant t = LAST.atTime(23, 45).atZone(BERLIN).toInstant();
        write(List.of(StoreSeed.reading(METER, t, kwhAt(t) + 2)));

        List<UsageService.Entry> after = await(cached.daily(meterDocument(), FIRST, LAST));
        assertThat(on(after, LAST).kwh()).isCloseTo(on(first, LAST).kwh() + 2.25, within(1e-9));
        assertThat(after).isEqualTo(await(uncached.daily(METER, FIRST, LAST)));
        // A partial document (no reading range) is not trusted: the meter's state is read.
        assertThat(await(cached.daily(new org.bson.Document(ID, METER), FIRST, LAST))).isEqualTo(after);
    }

    @Test
    void hourlyUnits_afterALateReadingInAPastDay_changeAtOnce() throws Exception {
        LocalDate day = LocalDate.parse("2026-02-03");
        List<HourUsage> before = await(cached.hours(METER, day));
        assertThat(before.get(10).kwh()).isCloseTo(0.5, within(1e-9)); // 10:00 only: half an hour since 09:30
        assertThat(before.get(11).kwh()).isCloseTo(1.5, within(1e-9));
        await(cached.hours(METER, day)); // kept

        // The missing 10:30 reading arrives late: a lower seq than the meter's last, inside its range; only lastSeen moves.
        write(List.of(StoreSeed.reading(METER, LATE, kwhAt(LATE))));

        List<HourUsage> after = await(cached.hours(METER, day));
        assertThat(after.get(10).kwh()).isCloseTo(1.0, within(1e-9));
        assertThat(after.get(11).kwh()).isCloseTo(1.0, within(1e-9));
        assertThat(after).isEqualTo(await(uncached.hours(METER, day)));
    }

    @Test
    void costs_afterATariffSavedThroughThePortal_changeAtOnce() throws Exception {
        LocalDate early = LocalDate.parse("2026-02-02");
        LocalDate late = LocalDate.parse("2026-02-06");
        List<UsageService.Entry> before = await(cached.daily(METER, FIRST, LAST));
        assertThat(on(before, late).cost()).isCloseTo(24 * 0.25, within(1e-9));

        await(tariffs.save(TariffVersion.flat(LocalDate.parse("2026-02-05"), "EUR", 0.50)));

        List<UsageService.Entry> after = await(cached.daily(METER, FIRST, LAST));
        assertThat(on(after, late).cost()).isCloseTo(24 * 0.50, within(1e-9));
        assertThat(on(after, early).cost()).isEqualTo(on(before, early).cost());
        assertThat(after).isEqualTo(await(uncached.daily(METER, FIRST, LAST)));
    }

    @Test
    void withoutACache_everyAnswerIsReadAgain() throws Exception {
        List<UsageService.Entry> first = await(uncached.daily(METER, FIRST, LAST));
        // Behind the portal's back (no version change): a cache-less service sees it at once.
        Mono.from(db.getCollection(DAILY).deleteOne(new org.bson.Document(ID, dev.ims.store.StoreLayout.dayId(METER, LAST)))).block();
        List<UsageService.Entry> after = await(uncached.daily(METER, FIRST, LAST));
        assertThat(after).hasSize(first.size() - 1);
    }
}
