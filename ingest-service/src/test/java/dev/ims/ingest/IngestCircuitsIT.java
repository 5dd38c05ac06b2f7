package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.testing.StoredReadings;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A meter with circuits through the real broker and store IngestIT starts: circuit values in readings, the meter's
 * latest and the hourly/daily rollups; the descriptions from the birth status, newest first; circuit registers held to
 * the meter register's rules.
 */
class IngestCircuitsIT {

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
    void circuitValues_areStoredInReadingsLatestAndHourlyAndDailyRollups() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(3)));
        publish(meter, reading(meter, 0, t0, 100.0, wh(2400, 10.0, RelayState.ON), fridge(120, 5.0)));
        publish(meter, reading(meter, 1, t0.plus(Duration.ofMinutes(15)), 100.7, wh(2400, 10.6, RelayState.ON), fridge(0, 5.03)));
        publish(meter, reading(meter, 2, t0.plus(Duration.ofMinutes(75)), 101.5, wh(0, 11.2, RelayState.OFF), fridge(130, 5.1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 3);

        List<Document> stored = storedReading(meter, 1).getList(CIRCUITS, Document.class);
        assertThat(stored).hasSize(2);
        assertThat(stored.get(0).getString(CIRCUIT_ID)).isEqualTo("water-heater");
        assertThat(stored.get(0).getDouble(ENERGY_KWH)).isEqualTo(10.6);
        assertThat(stored.get(0).getString(RELAY)).isEqualTo("ON");
        assertThat(stored.get(1)).doesNotContainKey(RELAY);
        List<Document> latest = meterDoc(meter).get(LATEST, Document.class).getList(CIRCUITS, Document.class);
        assertThat(latest.get(0).getString(RELAY)).isEqualTo("OFF");
        assertThat(latest.get(0).getDouble(POWER_W)).isZero();

        Document firstHour = StoredReadings.hour(db, meter, t0, CALENDAR).get(CIRCUITS, Document.class);
        assertThat(firstHour.get("water-heater", Document.class).getDouble(MIN_KWH)).isEqualTo(10.0);
        assertThat(firstHour.get("water-heater", Document.class).getDouble(MAX_KWH)).isEqualTo(10.6);
        assertThat(firstHour.get("fridge", Document.class).getDouble(MAX_KWH)).isEqualTo(5.03);
        Document secondHour = StoredReadings.hour(db, meter, t0.plus(Duration.ofHours(1)), CALENDAR).get(CIRCUITS, Document.class);
        assertThat(secondHour.get("water-heater", Document.class).getDouble(MIN_KWH)).isEqualTo(11.2);
        Document day = one(DAILY, dailyId(meter, LocalDate.ofInstant(t0, BERLIN))).get(CIRCUITS, Document.class);
        if (LocalDate.ofInstant(t0, BERLIN).equals(LocalDate.ofInstant(t0.plus(Duration.ofMinutes(75)), BERLIN))) {
            Document w = day.get("water-heater", Document.class);
            assertThat(w.getDouble(MAX_KWH) - w.getDouble(MIN_KWH)).isCloseTo(1.2, Offset.offset(1e-9));
        }
        assertThat(StoredReadings.quarter(db, meter, t0, CALENDAR)).doesNotContainKey(CIRCUITS);

        // A reading without circuits stores none and leaves the rollups' circuit ranges alone.
        publish(meter, CODEC.encode(Reading.of(meter, 3, t0.plus(Duration.ofMinutes(80)), 101.6, 500.0, 230.0, null, null, null)));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 4);
        assertThat(storedReading(meter, 3)).doesNotContainKey(CIRCUITS);
    }

    @Test
    void birthDescriptions_areKept_andOnlyANewerBirthReplacesThem() {
        String meter = newMeter();
        Instant t = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
        List<CircuitInfo> two = List.of(
                new CircuitInfo("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, true),
                new CircuitInfo("fridge", "Fridge", CircuitKind.FRIDGE, true, true));
        status(meter, StatusMessage.of(meter, ConnectionState.ONLINE, t).withCircuits(two));
        await().atMost(Duration.ofSeconds(10)).until(() -> descriptions(meter) != null);
        assertThat(descriptions(meter).getDate(AT).toInstant()).isEqualTo(t);
        List<Document> list = descriptions(meter).getList(LIST, Document.class);
        assertThat(list).extracting(d -> d.getString(CIRCUIT_ID)).containsExactly("water-heater", "fridge");
        assertThat(list.get(1).getBoolean(CRITICAL)).isTrue();
        assertThat(list.get(0).getString(KIND)).isEqualTo("WATER_HEATER");

        // An older birth delivered late: ignored. The OFFLINE will: keeps them.
        status(meter, StatusMessage.of(meter, ConnectionState.ONLINE, t.minusSeconds(30))
                .withCircuits(List.of(new CircuitInfo("old", "Old", CircuitKind.OTHER, false, false))));
        status(meter, StatusMessage.of(meter, ConnectionState.OFFLINE, t.plusSeconds(1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> "OFFLINE".equals(connectionState(meter)));
        assertThat(descriptions(meter).getList(LIST, Document.class)).extracting(d -> d.getString(CIRCUIT_ID))
                .containsExactly("water-heater", "fridge");

        // A newer birth replaces them.
        status(meter, StatusMessage.of(meter, ConnectionState.ONLINE, t.plusSeconds(10))
                .withCircuits(List.of(new CircuitInfo("ev", "EV charger", CircuitKind.EV_CHARGER, false, true))));
        await().atMost(Duration.ofSeconds(10)).until(() -> descriptions(meter).getList(LIST, Document.class).size() == 1);
        assertThat(descriptions(meter).getList(LIST, Document.class).get(0).getString(CIRCUIT_ID)).isEqualTo("ev");
    }

    @Test
    void malformedDescriptions_rejectTheStatus_namingTheField() {
        String meter = newMeter();
        String bad = "{\"meterId\":\"" + meter + "\",\"state\":\"ONLINE\",\"ts\":\"" + Instant.now()
                + "\",\"circuits\":[{\"id\":\"a\",\"name\":\"A\",\"kind\":\"TOASTER\"}]}";
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8)).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 1);
        assertThat(rejected(meter).get(0).getString(REASON)).isEqualTo(RejectReason.UNKNOWN_CODE.name());
        assertThat(rejected(meter).get(0).getString(DETAIL)).contains("circuits[0].kind");
    }

    @Test
    void circuitRegisterGoingBackwards_orTooFast_isQuarantined_namingTheCircuit_andMovesNothing() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(3)));
        publish(meter, reading(meter, 0, t0, 100.0, wh(2400, 10.0, RelayState.ON)));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 1);

        Instant t1 = t0.plus(Duration.ofMinutes(15));
        publish(meter, reading(meter, 1, t1, 100.6, wh(2400, 9.5, RelayState.ON)));     // backwards
        publish(meter, reading(meter, 1, t1, 100.6, wh(2400, 1010.0, RelayState.ON)));  // 1 000 kWh in 15 min
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 2);
        assertThat(rejected(meter)).extracting(d -> d.getString(REASON)).containsExactlyInAnyOrder(
                RejectReason.REGISTER_BACKWARDS.name(), RejectReason.IMPLAUSIBLE_CONSUMPTION.name());
        assertThat(rejected(meter)).allSatisfy(q -> {
            assertThat(q.getString(QUARANTINE)).isEqualTo(QUARANTINE_OPEN);
            assertThat(q.getString(DETAIL)).contains("circuit 'water-heater'");
        });
        assertThat(stored(meter)).isEqualTo(1);
        assertThat(StoredReadings.hour(db, meter, t0, CALENDAR).get(CIRCUITS, Document.class).get("water-heater", Document.class)
                .getDouble(MAX_KWH)).isEqualTo(10.0);

        // A reading without the circuit in between, then one below the last known value: still backwards.
        publish(meter, reading(meter, 1, t1, 100.6));
        publish(meter, reading(meter, 2, t1.plus(Duration.ofMinutes(15)), 100.9, wh(0, 9.9, RelayState.OFF)));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 2 && rejected(meter).size() == 3);
        assertThat(rejected(meter)).filteredOn(d -> d.getString(DETAIL).contains("seq 2"))
                .singleElement().satisfies(d -> assertThat(d.getString(REASON)).isEqualTo(RejectReason.REGISTER_BACKWARDS.name()));

        // A plausible one is stored.
        publish(meter, reading(meter, 2, t1.plus(Duration.ofMinutes(15)), 100.9, wh(2400, 10.55, RelayState.ON)));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 3);
    }

    @Test
    void redelivery_withOtherCircuitValues_isAConflictingDuplicate_whileTheSameReadingIsADuplicate() {
        String meter = newMeter();
        Instant t0 = hourStart(Instant.now().minus(Duration.ofHours(2)));
        Instant t1 = t0.plus(Duration.ofMinutes(15));
        publish(meter, reading(meter, 0, t0, 10.0, wh(2400, 1.0, RelayState.ON)));
        publish(meter, reading(meter, 1, t1, 10.6, wh(2400, 1.6, RelayState.ON)));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 2);
        long duplicatesBefore = ingest.counters().duplicates();

        publish(meter, reading(meter, 1, t1, 10.6, wh(2400, 1.61, RelayState.ON)));   // other circuit register
        publish(meter, reading(meter, 1, t1, 10.6, wh(2400, 1.6, RelayState.OFF)));   // other relay
        publish(meter, reading(meter, 1, t1, 10.6));                                  // circuits left out
        publish(meter, reading(meter, 1, t1, 10.6, wh(2400, 1.6, RelayState.ON)));    // the same again
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 3
                && ingest.counters().duplicates() >= duplicatesBefore + 1);
        assertThat(rejected(meter)).extracting(d -> d.getString(REASON)).containsOnly(RejectReason.CONFLICTING_DUPLICATE.name());
        assertThat(storedReading(meter, 1).getList(CIRCUITS, Document.class).get(0).getDouble(ENERGY_KWH)).isEqualTo(1.6);
    }

    // ---- helpers

    private static CircuitReading wh(double w, double kwh, RelayState relay) {
        return new CircuitReading("water-heater", w, kwh, relay, null);
    }

    private static CircuitReading fridge(double w, double kwh) {
        return new CircuitReading("fridge", w, kwh, null, null);
    }

    private static String newMeter() {
        return "circ-" + NEXT.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    private static Instant hourStart(Instant t) {
        return t.atZone(BERLIN).truncatedTo(ChronoUnit.HOURS).toInstant();
    }

    private static byte[] reading(String meter, long seq, Instant ts, double kwh, CircuitReading... circuits) {
        return CODEC.encode(Reading.of(meter, seq, ts, kwh, 500.0, 230.0, null, null, null).withCircuits(List.of(circuits)));
    }

    private static void publish(String meter, byte[] payload) {
        meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }

    private static void status(String meter, StatusMessage s) {
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE).payload(s.encode()).send();
    }

    private static Document descriptions(String meter) {
        Document m = meterDoc(meter);
        return m == null ? null : m.get(CIRCUITS, Document.class);
    }

    private static String connectionState(String meter) {
        Document m = meterDoc(meter);
        Document last = m == null ? null : m.get(CONNECTION_LAST, Document.class);
        return last == null ? null : last.getString(STATE);
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
