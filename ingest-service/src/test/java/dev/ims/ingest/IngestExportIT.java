package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.testing.StoredReadings;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A prosumer's readings (export register and power) through the real broker and store IngestIT starts:
 * what is stored, how the day documents (day, hours, quarters) carry the export range, and that the export register is held to the
 * import register's rules.
 */
class IngestExportIT {

    private static final ReadingCodec CODEC = new ReadingCodec();
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin"); // IngestIT's zone
    private static final UsageCalendar CALENDAR = new UsageCalendar(BERLIN);

    private static MongoDatabase db;
    private static MeterClients meters;
    private static IngestService ingest;

    @BeforeAll
    static void stack() throws Exception {
        IngestIT.startStack();
        db = IngestIT.db;
        meters = IngestIT.meters;
        ingest = IngestIT.ingest;
    }

    @Test
    void exportingReadings_storeTheExportFields_inReadingsLatestAndEveryRollup() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(3)));
        publish(meter, reading(meter, 0, t0, 100.0, 300.0, 20.0, 0.0));
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 100.05, 0.0, 20.4, 1600.0));
        publish(meter, reading(meter, 2, t0.plus(Duration.ofMinutes(30)), 100.05, 0.0, 20.9, 2000.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 3);

        Document r1 = storedReading(meter, 1);
        assertThat(r1.getDouble(EXPORT_KWH)).isEqualTo(20.4);
        assertThat(r1.getDouble(EXPORT_POWER_W)).isEqualTo(1600.0);
        assertThat(r1).doesNotContainKey(EXTRA);
        Document latest = meterDoc(meter).get(LATEST, Document.class);
        assertThat(latest.getDouble(EXPORT_KWH)).isEqualTo(20.9);
        assertThat(latest.getDouble(EXPORT_POWER_W)).isEqualTo(2000.0);

        Document hour = StoredReadings.hour(db, meter, t0, CALENDAR);
        assertThat(hour.getDouble(MIN_EXPORT_KWH)).isEqualTo(20.0);
        assertThat(hour.getDouble(MAX_EXPORT_KWH)).isEqualTo(20.9);
        assertThat(hour.getDouble(MAX_KWH) - hour.getDouble(MIN_KWH)).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-9));
        Document quarter = StoredReadings.quarter(db, meter, t0.plus(Duration.ofMinutes(15)), CALENDAR);
        assertThat(quarter.getDouble(MIN_EXPORT_KWH)).isEqualTo(20.4);
        assertThat(quarter.getDouble(MAX_EXPORT_KWH)).isEqualTo(20.4);
        Document day = one(DAILY, dailyId(meter, LocalDate.ofInstant(t0, BERLIN)));
        assertThat(day.getDouble(MAX_EXPORT_KWH) - day.getDouble(MIN_EXPORT_KWH)).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void readingsWithoutExport_storeNoExportFields_andTheirRollupsHaveNone() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(3)));
        publish(meter, reading(meter, 0, t0, 100.0, 300.0, null, null));
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 100.1, 400.0, null, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 2);
        assertThat(storedReading(meter, 1)).doesNotContainKeys(EXPORT_KWH, EXPORT_POWER_W);
        assertThat(meterDoc(meter).get(LATEST, Document.class)).doesNotContainKeys(EXPORT_KWH, EXPORT_POWER_W);
        assertThat(StoredReadings.hour(db, meter, t0, CALENDAR)).doesNotContainKeys(MIN_EXPORT_KWH, MAX_EXPORT_KWH);
        assertThat(one(DAILY, dailyId(meter, LocalDate.ofInstant(t0, BERLIN)))).doesNotContainKeys(MIN_EXPORT_KWH, MAX_EXPORT_KWH);
    }

    @Test
    void exportRegisterGoingBackwards_orGrowingTooFast_isQuarantined_andMovesNothing() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(3)));
        publish(meter, reading(meter, 0, t0, 100.0, 0.0, 50.0, 1000.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 1);

        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 100.0, 0.0, 49.5, 1000.0));   // backwards
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 100.0, 0.0, 1050.0, 1000.0)); // 1 000 kWh in 15 min
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 2);
        assertThat(rejected(meter)).extracting(d -> d.getString(REASON)).containsExactlyInAnyOrder(
                RejectReason.REGISTER_BACKWARDS.name(), RejectReason.IMPLAUSIBLE_CONSUMPTION.name());
        for (Document q : rejected(meter)) {
            assertThat(q.getString(QUARANTINE)).isEqualTo(QUARANTINE_OPEN);
            assertThat(q.getString(DETAIL)).contains("export");
            assertThat(q.get(READING, Document.class).get(EXPORT_KWH)).isIn(49.5, 1050.0);
        }
        assertThat(stored(meter)).isEqualTo(1);
        assertThat(meterDoc(meter).get(LATEST, Document.class).getDouble(EXPORT_KWH)).isEqualTo(50.0);
        assertThat(StoredReadings.hour(db, meter, t0, CALENDAR).getDouble(MAX_EXPORT_KWH)).isEqualTo(50.0);

        // The genuine reading after them is stored.
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 100.0, 0.0, 50.3, 1200.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 2);
        assertThat(StoredReadings.hour(db, meter, t0, CALENDAR).getDouble(MAX_EXPORT_KWH)).isEqualTo(50.3);
    }

    @Test
    void redelivery_withAnotherExportValue_isAConflictingDuplicate_whileTheSameReadingIsADuplicate() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(2)));
        publish(meter, reading(meter, 0, t0, 10.0, 0.0, 5.0, 800.0));
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 10.0, 0.0, 5.2, 800.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 2);
        long duplicatesBefore = ingest.counters().duplicates();

        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 10.0, 0.0, 5.25, 800.0)); // other export register
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 10.0, 0.0, null, null));   // export left out
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 10.0, 0.0, 5.2, 800.0));   // the same again
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 2
                && ingest.counters().duplicates() >= duplicatesBefore + 1);
        assertThat(rejected(meter)).extracting(d -> d.getString(REASON)).containsOnly(RejectReason.CONFLICTING_DUPLICATE.name());
        assertThat(rejected(meter)).extracting(d -> d.getString(DETAIL)).allMatch(d -> d.contains("exportKwh 5.2"));
        assertThat(stored(meter)).isEqualTo(2);
        assertThat(storedReading(meter, 1).getDouble(EXPORT_KWH)).isEqualTo(5.2);
        assertThat(StoredReadings.hour(db, meter, t0, CALENDAR).getDouble(MAX_EXPORT_KWH)).isEqualTo(5.2);
    }

    @Test
    void readingWithoutExport_afterOnesWithExport_isStored_andTheExportRegisterIsStillGuardedAfterIt() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(2)));
        publish(meter, reading(meter, 0, t0, 10.0, 0.0, 7.0, 500.0));
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 10.1, 400.0, null, null));
        publish(meter, reading(meter, 2, t0.plus(Duration.ofMinutes(30)), 10.2, 0.0, 7.1, 300.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 3);
        assertThat(rejected(meter)).isEmpty();
        assertThat(storedReading(meter, 1)).doesNotContainKeys(EXPORT_KWH, EXPORT_POWER_W);
        Document hour = StoredReadings.hour(db, meter, t0, CALENDAR);
        assertThat(hour.getDouble(MIN_EXPORT_KWH)).isEqualTo(7.0);
        assertThat(hour.getDouble(MAX_EXPORT_KWH)).isEqualTo(7.1);

        // Without export, then lower than the last export register known: backwards, though the reading
        // right before it had none.
        publish(meter, reading(meter, 3, t0.plus(Duration.ofMinutes(45)), 10.3, 100.0, null, null));
        publish(meter, reading(meter, 4, t0.plus(Duration.ofMinutes(60)), 10.4, 0.0, 6.0, 100.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 4 && rejected(meter).size() == 1);
        assertThat(rejected(meter).get(0).getString(REASON)).isEqualTo(RejectReason.REGISTER_BACKWARDS.name());
        assertThat(rejected(meter).get(0).getString(DETAIL)).startsWith("exportKwh 6.0 at seq 4 is below 7.1");
    }

    // ---- helpers

    private static String newMeter() {
        return "exp-" + NEXT.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    private static Instant hourStart(Instant t) {
        return t.atZone(BERLIN).truncatedTo(ChronoUnit.HOURS).toInstant();
    }

    private static byte[] reading(String meter, long seq, Instant ts, double kwh, double powerW, Double exportKwh, Double exportPowerW) {
        return CODEC.encode(Reading.of(meter, seq, ts, kwh, powerW, 230.0, null, null, null).withExport(exportKwh, exportPowerW));
    }

    private static void publish(String meter, byte[] payload) {
        meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }

    private static long stored(String meter) {
        return StoredReadings.count(db, meter);
    }

    private static Document storedReading(String meter, long seq) {
        return StoredReadings.one(db, meter, seq);
    }

    private static List<Document> rejected(String meter) {
        return Flux.from(db.getCollection(REJECTED).find(Filters.eq(METER_ID, meter))).collectList().block();
    }

    private static Document meterDoc(String meter) {
        return one(METERS, meter);
    }

    private static Document one(String collection, String id) {
        return Mono.from(db.getCollection(collection).find(Filters.eq(ID, id)).first()).block();
    }
}
