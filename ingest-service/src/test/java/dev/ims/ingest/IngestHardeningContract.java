package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.testing.StoredReadings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Issue 9 from the outside: messages an intruder sends over real MQTT to a running ingest and store. No
 * single message may stall the pipeline, and no forged or broken reading may move a bill; staff can
 * accept a quarantined reading. Run on the embedded broker ({@link IngestHardeningIT}) and on Mosquitto
 * ({@link MosquittoHardeningIT}); a subclass's {@code @BeforeAll} sets the stack.
 */
abstract class IngestHardeningContract {

    private static final ReadingCodec CODEC = new ReadingCodec();
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin"); // IngestIT's zone

    static MongoDatabase db;
    /**
     * The intruder: a meter's compromised identity, one per meter ID (the broker lets a meter publish only to its
     * own topics, so each attacked meter is an identity of its own).
     */
    static MeterClients meters;
    static IngestService ingest;

    @ParameterizedTest(name = "{0} with ts {1}")
    @CsvSource({
            "status, +999999999-12-31T23:59:59Z, TIMESTAMP_IN_FUTURE",
            "status, +10000-01-01T00:00:00Z, TIMESTAMP_IN_FUTURE",
            "status, 3000-01-01T00:00:00Z, TIMESTAMP_IN_FUTURE",
            "status, -999999999-01-01T00:00:00Z, TIMESTAMP_TOO_OLD",
            "status, 1970-01-01T00:00:00Z, TIMESTAMP_TOO_OLD",
            "command/ack, +999999999-12-31T23:59:59Z, TIMESTAMP_IN_FUTURE",
            "command/ack, 3000-01-01T00:00:00Z, TIMESTAMP_IN_FUTURE",
            "command/ack, 1970-01-01T00:00:00Z, TIMESTAMP_TOO_OLD",
    })
    void statusOrAcknowledgement_withATimestampOutsideTheWindow_isRejected_andCreatesNoMeter_andReadingsFlowOn(
            String kind, String ts, RejectReason reason) {
        String meter = newMeter();
        String payload = kind.equals("status")
                ? "{\"meterId\":\"" + meter + "\",\"state\":\"ONLINE\",\"ts\":\"" + ts + "\"}"
                : "{\"commandId\":\"c-" + meter + "\",\"ok\":true,\"relay\":\"OFF\",\"ts\":\"" + ts + "\"}";
        // Retained, as the attack was: the broker hands it to the ingest again after every restart.
        meters.of(meter).publishWith().topic("meters/" + meter + "/" + kind).qos(MqttQos.AT_LEAST_ONCE).retain(kind.equals("status"))
                .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 1);
        Document r = rejected(meter).get(0);
        assertThat(r.getString(REASON)).isEqualTo(reason.name());
        assertThat(r.getString(METER_ID)).isEqualTo(meter);
        assertThat(meterDoc(meter)).as("a rejected message creates no meter").isNull();

        String next = newMeter();
        publish(next, reading(next, 0, Instant.now(), 1.0));
        await().atMost(Duration.ofSeconds(5)).until(() -> stored(next) == 1);
        assertThat(ingest.databaseUp()).isTrue();
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").retain(true).payload(new byte[0]).send();
    }

    @Test
    void status_farAhead_isRejected_andCannotPinTheMeter() {
        String meter = newMeter();
        Instant now = Instant.now();
        status(meter, "ONLINE", now.plus(Duration.ofDays(365)));
        status(meter, "ONLINE", now);
        await().atMost(Duration.ofSeconds(10)).until(() -> "ONLINE".equals(connection(meter)));
        status(meter, "OFFLINE", now.plusSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> "OFFLINE".equals(connection(meter)));
        assertThat(rejected(meter)).extracting(d -> d.getString(REASON)).containsExactly(RejectReason.TIMESTAMP_IN_FUTURE.name());
    }

    @Test
    void forgedReading_withAHugeSeqOrRegister_isQuarantined_neverBecomesLatest_andGenuineReadingsGoOn() {
        String meter = newMeter();
        Instant t0 = Instant.now().minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        for (int i = 0; i < 4; i++) {
            publish(meter, reading(meter, i, t0.plus(Duration.ofMinutes(15L * i)), 100 + i * 0.25));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 4);
        double dayBefore = dayUsage(meter, t0);

        // The intruder's reading: seq far ahead, register a billion kWh on.
        publish(meter, reading(meter, 1_000_000_000L, Instant.now(), 1e9));
        // Seq plausible, register not: 1 000 kWh in 15 minutes is 4 MW.
        publish(meter, reading(meter, 4, t0.plus(Duration.ofMinutes(60)), 1100.75));
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 2);
        assertThat(rejected(meter)).extracting(d -> d.getString(REASON))
                .containsExactlyInAnyOrder(RejectReason.SEQ_JUMP.name(), RejectReason.IMPLAUSIBLE_CONSUMPTION.name());
        for (Document q : rejected(meter)) {
            assertThat(q.getString(QUARANTINE)).isEqualTo(QUARANTINE_OPEN);
            assertThat(q.getString(METER_ID)).isEqualTo(meter);
            assertThat(q.get(READING, Document.class).get(SEQ, Number.class).longValue()).isIn(4L, 1_000_000_000L);
            assertThat(q.getString(DETAIL)).isNotBlank();
        }

        // The genuine readings after it are stored, not refused as going backwards.
        publish(meter, reading(meter, 4, t0.plus(Duration.ofMinutes(60)), 101.0));
        publish(meter, reading(meter, 5, t0.plus(Duration.ofMinutes(75)), 101.2));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 6);
        Document m = meterDoc(meter);
        assertThat(m.get(LAST_SEQ, Number.class).longValue()).isEqualTo(5);
        assertThat(m.get(LATEST, Document.class).getDouble(ENERGY_KWH)).isEqualTo(101.2);
        assertThat(dayUsage(meter, t0)).isLessThan(dayBefore + 1.3).isGreaterThanOrEqualTo(dayBefore);
        assertThat(rejected(meter)).hasSize(2);
    }

    @Test
    void redelivery_withOtherValues_isAConflictingDuplicate_andTouchesNothing_whileTheSameReadingIsADuplicate() {
        String meter = newMeter();
        Instant t0 = Instant.now().minus(Duration.ofHours(1));
        publish(meter, reading(meter, 0, t0, 50.0));
        publish(meter, reading(meter, 1, t0.plusSeconds(900), 50.5));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 2);
        Document hourBefore = hour(meter, t0);
        long duplicatesBefore = ingest.counters().duplicates();

        publish(meter, reading(meter, 1, t0.plusSeconds(900), 50.6)); // same seq, other register
        publish(meter, reading(meter, 0, t0, 49.9)); // an older seq, other register
        publish(meter, reading(meter, 1, t0.plusSeconds(900), 50.5)); // the same reading again
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 2
                && ingest.counters().duplicates() == duplicatesBefore + 1);
        assertThat(rejected(meter)).extracting(d -> d.getString(REASON)).containsOnly(RejectReason.CONFLICTING_DUPLICATE.name());
        assertThat(stored(meter)).isEqualTo(2);
        assertThat(hour(meter, t0).getDouble(MIN_KWH)).isEqualTo(hourBefore.getDouble(MIN_KWH));
        assertThat(hour(meter, t0).getDouble(MAX_KWH)).isEqualTo(hourBefore.getDouble(MAX_KWH));
        Document one = StoredReadings.one(db, meter, 1L); // fails if the seq were stored twice
        assertThat(one.getDouble(ENERGY_KWH)).isEqualTo(50.5);
    }

    @Test
    void quarantinedReading_acceptedByStaff_isStoredAsIfJustReceived_andCountedOnce() {
        String meter = newMeter();
        Instant t0 = Instant.now().minus(Duration.ofHours(3));
        publish(meter, reading(meter, 0, t0, 10.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 1);
        // A meter replaced by one whose register starts higher: 500 kWh in 15 minutes is implausible.
        publish(meter, reading(meter, 1, t0.plusSeconds(900), 510.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(meter).size() == 1);
        Document q = rejected(meter).get(0);
        long storedBefore = ingest.counters().stored();
        long rejectedBefore = ingest.counters().rejected();

        // What the portal does when staff accept it.
        Date at = new Date();
        Mono.from(db.getCollection(REJECTED).updateOne(Filters.and(Filters.eq(ID, q.get(ID)), Filters.eq(QUARANTINE, QUARANTINE_OPEN)),
                Updates.combine(Updates.set(QUARANTINE, QUARANTINE_ACCEPTING), Updates.set(DECISION,
                        new Document("action", "ACCEPT").append("by", "admin").append("reason", "meter exchanged").append("at", at))))).block();
        Mono.from(db.getCollection(QUARANTINE_ACTIONS).insertOne(new Document(ID, q.get(ID)).append("by", "admin")
                .append("reason", "meter exchanged").append("at", at))).block();

        await().atMost(Duration.ofSeconds(15)).until(() -> stored(meter) == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> QUARANTINE_ACCEPTED.equals(rejectedDoc(q.get(ID)).getString(QUARANTINE)));
        assertThat(meterDoc(meter).get(LATEST, Document.class).getDouble(ENERGY_KWH)).isEqualTo(510.0);
        assertThat(hour(meter, t0.plusSeconds(900)).getDouble(MAX_KWH)).isEqualTo(510.0);
        assertThat(Mono.from(db.getCollection(QUARANTINE_ACTIONS).countDocuments(Filters.eq(ID, q.get(ID)))).block()).isZero();
        assertThat(ingest.counters().stored()).isEqualTo(storedBefore + 1);
        assertThat(ingest.counters().rejected()).isEqualTo(rejectedBefore - 1);
        // Later readings are checked against the accepted one.
        publish(meter, reading(meter, 2, t0.plusSeconds(1800), 510.3));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 3);
    }

    @Test
    void acceptingAnUnknownOrAlreadyDecidedDocument_changesNothing_andTheActionIsDropped() {
        ObjectId unknown = new ObjectId();
        Mono.from(db.getCollection(QUARANTINE_ACTIONS).insertOne(new Document(ID, unknown).append("by", "admin"))).block();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                Mono.from(db.getCollection(QUARANTINE_ACTIONS).countDocuments(Filters.eq(ID, unknown))).block() == 0);
    }

    @Test
    void readingTheStoreCannotTake_isQuarantinedAsProcessingFailed_andTheReadingsAroundItAreStored() {
        String meter = newMeter();
        String other = newMeter();
        // Valid by the contract (unknown fields are kept), but no BSON document can hold a field name with
        // a NUL in it: the write fails for this message's data, not because the database is down.
        String poison = "{\"meterId\":\"" + meter + "\",\"seq\":0,\"ts\":\"" + Instant.now() + "\",\"energyKwh\":1.0,"
                + "\"status\":\"OK\",\"fault\":null,\"a\\u0000b\":1}";
        Instant now = Instant.now();
        for (int i = 0; i < 5; i++) {
            publish(other, reading(other, i, now.plusMillis(i), 2.0));
            if (i == 2) {
                meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                        .payload(poison.getBytes(StandardCharsets.UTF_8)).send();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> stored(other) == 5 && rejected(meter).size() == 1);
        Document r = rejected(meter).get(0);
        assertThat(r.getString(REASON)).isEqualTo(RejectReason.PROCESSING_FAILED.name());
        assertThat(r.getString(DETAIL)).contains("Exception").contains("failed " + IngestLimits.DEFAULT_MAX_ATTEMPTS + " times");
        assertThat(r.getString(PAYLOAD)).contains("\"seq\":0");
        assertThat(stored(meter)).isZero();
        assertThat(ingest.databaseUp()).isTrue();
        // And the next reading of the same meter is not held up either.
        publish(meter, reading(meter, 1, Instant.now(), 1.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> stored(meter) == 1);
    }

    @Test
    void aFloodOfBadPayloadsFromOneSource_isCountedInFull_butStoredOnlyAsSamples() {
        String meter = newMeter();
        long before = ingest.counters().rejected();
        int flood = 200;
        for (int i = 0; i < flood; i++) {
            meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("{not json " + i).getBytes(StandardCharsets.UTF_8)).send();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ingest.counters().rejected() - before >= flood);
        int kept = rejected(meter).size();
        assertThat(kept).isGreaterThan(0).isLessThanOrEqualTo(IngestLimits.DEFAULT_REJECTED_PER_SOURCE_PER_MINUTE + 2);
        // Another source is not starved by the first one's flood.
        String other = newMeter();
        meters.of(other).publishWith().topic("meters/" + other + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                .payload("{}".getBytes(StandardCharsets.UTF_8)).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> rejected(other).size() == 1);
    }

    @Test
    void rejectedPayloads_expireThroughATtlIndex() {
        List<Document> indexes = Flux.from(db.getCollection(REJECTED).listIndexes()).collectList().block();
        assertThat(indexes).anySatisfy(i -> {
            assertThat(i.getString("name")).isEqualTo("rejected_ttl");
            assertThat(((Number) i.get("expireAfterSeconds")).longValue()).isEqualTo(IngestLimits.DEFAULT_REJECTED_RETENTION.toSeconds());
        });
    }

    @Test
    void standaloneHealth_reportsTheIngestsOwnViewOfTheDatabase() throws Exception {
        var registry = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
        try (MetricsServer server = new MetricsServer(0, registry, ingest)) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"database\":\"UP\"").contains("\"broker\":\"UP\"");
        }
    }

    // ---- helpers

    private static String newMeter() {
        return "hard-" + NEXT.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    private static byte[] reading(String meter, long seq, Instant ts, double kwh) {
        return CODEC.encode(Reading.of(meter, seq, ts, kwh, 500.0, 230.0, 2.17, null, null));
    }

    private static void publish(String meter, byte[] payload) {
        meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }

    private static void status(String meter, String state, Instant ts) {
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(("{\"meterId\":\"" + meter + "\",\"state\":\"" + state + "\",\"ts\":\"" + ts + "\"}").getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private static long stored(String meter) {
        return StoredReadings.count(db, meter);
    }

    private static List<Document> rejected(String meter) {
        return Flux.from(db.getCollection(REJECTED).find(Filters.eq(METER_ID, meter))).collectList().block();
    }

    private static Document rejectedDoc(Object id) {
        return Mono.from(db.getCollection(REJECTED).find(Filters.eq(ID, id)).first()).block();
    }

    private static Document meterDoc(String meter) {
        return Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
    }

    private static String connection(String meter) {
        Document m = meterDoc(meter);
        Document last = m == null ? null : m.get(CONNECTION_LAST, Document.class);
        return last == null ? null : last.getString(STATE);
    }

    private static Document hour(String meter, Instant t) {
        return StoredReadings.hour(db, meter, t, new UsageCalendar(BERLIN));
    }

    private static double dayUsage(String meter, Instant t) {
        Document d = Mono.from(db.getCollection(DAILY).find(Filters.eq(ID, dailyId(meter, LocalDate.ofInstant(t, BERLIN)))).first()).block();
        return d.getDouble(MAX_KWH) - d.getDouble(MIN_KWH);
    }
}
