package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.security.Credential;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.storage.StoreSchema;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.DaySummary;
import dev.ims.store.SeqGaps;
import dev.ims.store.StoreLayout;
import dev.ims.store.testing.StoredReadings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The ingest on the embedded broker and store, over real sockets; one stack for this module's suites
 * (RelayCommandsIT shares it), stopped with the test JVM.
 */
class IngestIT {

    private static final ReadingCodec CODEC = new ReadingCodec();
    private static final UsageCalendar CALENDAR = new UsageCalendar(java.time.ZoneId.of("Europe/Berlin"));
    private static final AtomicInteger METERS = new AtomicInteger();
    /** The ingest's client ID and identity. */
    static final String INGEST = "ingest-it";

    static EmbeddedBroker broker;
    static EmbeddedStore store;
    static IngestService ingest;
    static MongoClient mongo;
    static MongoDatabase db;
    /** The broker's identities: the ingest's and a test meter's for every meter ID a test speaks for. */
    static BrokerIdentities ids;
    /** Each meter ID's own connection. */
    static MeterClients meters;

    @BeforeAll
    static synchronized void startStack() throws Exception {
        if (ingest != null) {
            return;
        }
        Path dir = java.nio.file.Files.createTempDirectory("ingest-it");
        ids = new BrokerIdentities();
        // With a TLS listener too, for IngestTlsIT: a second HiveMQ started and stopped in this JVM was seen stalling this
        // broker's shared-subscription deliveries to the tests that came next.
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security())
                .withTls(0, dev.ims.embedded.broker.BrokerTls.Settings.generated(dir.resolve("tls"))));
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "Europe/Berlin"), Map.of())
                .withMqttUrl(broker.url()).withMongoUri(store.connectionString()).withMqttCredential(ids.ingest(INGEST));
        // RelayCommandsIT waits out this acknowledgement timeout; no other test meets it.
        // With its backlog session (identity INGEST-backlog), as every deployment gives it.
        ingest = new IngestService(IngestSettings.of(ims, INGEST).withBacklog(ids.ingest(IngestSettings.backlogIdentity(INGEST))))
                .commandAckTimeout(Duration.ofSeconds(5));
        ingest.start().toCompletableFuture().get();
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
        meters = new MeterClients(broker.port(), ids::meter);
        Runtime.getRuntime().addShutdownHook(new Thread(IngestIT::stopStack));
    }

    private static void stopStack() {
        meters.close();
        ingest.stop().toCompletableFuture().join();
        mongo.close();
        store.close();
        broker.close();
    }

    @Test
    void readings_areStoredOnce_withRollupsMatchingTheRegister() {
        String meter = newMeter();
        Instant t0 = Instant.parse("2026-11-23T22:30:00Z"); // 23:30 in Berlin: the last reading of the 23rd
        for (int i = 0; i < 4; i++) {
            publish(meter, reading(meter, i, t0.plus(Duration.ofMinutes(15L * i)), 100 + i * 0.5));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 4);
        Document d23 = one(StoreSchema.DAILY, StoreSchema.dailyId(meter, java.time.LocalDate.parse("2026-11-23")));
        Document d24 = one(StoreSchema.DAILY, StoreSchema.dailyId(meter, java.time.LocalDate.parse("2026-11-24")));
        assertThat(d23.getDouble(StoreSchema.MAX_KWH)).isEqualTo(100.5);
        assertThat(d24.getDouble(StoreSchema.MIN_KWH)).isEqualTo(101.0);
        assertThat(d24.getDouble(StoreSchema.MAX_KWH)).isEqualTo(101.5);
        Document m = one(StoreSchema.METERS, meter);
        assertThat(m.get(StoreSchema.LAST_SEQ, Number.class).longValue()).isEqualTo(3);
        assertThat(m.get(StoreSchema.LATEST, Document.class).getDouble(StoreSchema.ENERGY_KWH)).isEqualTo(101.5);
        assertThat(m.getDate(StoreLayout.FIRST_READING_TS).toInstant()).isEqualTo(t0);
        assertThat(m.getDate(StoreLayout.LAST_READING_TS).toInstant()).isEqualTo(t0.plus(Duration.ofMinutes(45)));
        // The day documents hold the hours and quarter hours (the hourly and quarter rollups of before) and the seqs.
        DaySummary s24 = DaySummary.from(d24);
        assertThat(s24.hours()).extracting(h -> h.start(), h -> h.minKwh(), h -> h.maxKwh())
                .containsExactly(tuple(t0.plus(Duration.ofMinutes(30)), 101.0, 101.5));
        assertThat(s24.quarters()).extracting(q -> q.minKwh()).containsExactly(101.0, 101.5);
        assertThat(s24.seqBits()).isEqualTo(Map.of(0L, StoreLayout.seqBit(2) | StoreLayout.seqBit(3)));
    }

    @Test
    void reading_publishedTwice_andOutOfOrderReplays_areStoredOnce_andCountedAsDuplicates() {
        String meter = newMeter();
        Instant t0 = Instant.now().minusSeconds(3600);
        long duplicatesBefore = ingest.counters().duplicates();
        byte[] r0 = reading(meter, 0, t0, 5.0);
        byte[] r1 = reading(meter, 1, t0.plusSeconds(60), 5.1);
        byte[] r2 = reading(meter, 2, t0.plusSeconds(120), 5.2);
        publish(meter, r0);
        publish(meter, r2);
        publish(meter, r1);
        publish(meter, r1);
        publish(meter, r0);
        await().atMost(Duration.ofSeconds(10)).until(() -> ingest.counters().duplicates() - duplicatesBefore == 2);
        assertThat(StoredReadings.count(db, meter)).isEqualTo(3);
        Document m = one(StoreSchema.METERS, meter);
        assertThat(m.get(StoreSchema.LAST_SEQ, Number.class).longValue()).isEqualTo(2);
        // A reading the meter produced earlier arriving later, in a batch of its own, never becomes the latest.
        publish(meter, reading(meter, 9, t0.plusSeconds(540), 5.9));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 4);
        publish(meter, reading(meter, 7, t0.plusSeconds(420), 5.7));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 5);
        m = one(StoreSchema.METERS, meter);
        assertThat(m.get(StoreSchema.LAST_SEQ, Number.class).longValue()).isEqualTo(9);
        Document latest = m.get(StoreSchema.LATEST, Document.class);
        assertThat(latest.get(StoreSchema.SEQ, Number.class).longValue()).isEqualTo(9);
        assertThat(latest.getDouble(StoreSchema.ENERGY_KWH)).isEqualTo(5.9);
        // Each seq once, with its values; the day knows every seq.
        assertThat(StoredReadings.of(db, meter)).extracting(d -> d.get(StoreSchema.SEQ), d -> d.get(StoreSchema.ENERGY_KWH))
                .containsExactly(tuple(0L, 5.0), tuple(1L, 5.1), tuple(2L, 5.2), tuple(7L, 5.7), tuple(9L, 5.9));
        DaySummary day = DaySummary.from(StoredReadings.day(db, meter, CALENDAR.dayOf(t0)));
        assertThat(new SeqGaps().add(day.seqBits()).gaps(10).gaps()).containsExactly(new SeqGaps.Gap(3, 6), new SeqGaps.Gap(8, 8));
    }

    @Test
    void twoCopiesOfASeq_published_backToBack_withOtherValues_theFirstIsStored_theSecondRefused() {
        String meter = newMeter();
        Instant t0 = Instant.now().minusSeconds(3600);
        publish(meter, reading(meter, 0, t0, 7.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 1);
        // Usually in one batch (the second compared with the first), else in two (the second with the stored one): the same outcome.
        publish(meter, reading(meter, 1, t0.plusSeconds(60), 7.1));
        publish(meter, reading(meter, 1, t0.plusSeconds(60), 7.3));
        publish(meter, reading(meter, 2, t0.plusSeconds(120), 7.2));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 3 && rejectedFor(meter).size() == 1);
        assertThat(rejectedFor(meter).get(0).getString(StoreSchema.REASON)).isEqualTo("CONFLICTING_DUPLICATE");
        assertThat(rejectedFor(meter).get(0).getString(StoreSchema.DETAIL)).startsWith("seq 1 is stored already with other values (energyKwh 7.1");
        assertThat(StoredReadings.one(db, meter, 1).getDouble(StoreSchema.ENERGY_KWH)).isEqualTo(7.1);
        Document d = StoredReadings.day(db, meter, CALENDAR.dayOf(t0));
        assertThat(DaySummary.from(d).maxKwh()).isEqualTo(7.2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "MALFORMED_JSON     | {\"meterId\":",
        "MISSING_FIELD      | {\"meterId\":\"@ID\",\"seq\":1}",
        "WRONG_TYPE         | {\"meterId\":\"@ID\",\"seq\":\"one\"}",
        "METER_ID_MISMATCH  | {\"meterId\":\"someone-else\",\"seq\":1}",
        "OUT_OF_RANGE       | {\"meterId\":\"@ID\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":-5,\"status\":\"OK\"}",
    })
    void badPayload_isRejectedWithItsReason_whileGoodReadingsKeepFlowing(String reason, String template) {
        String meter = newMeter();
        publish(meter, template.replace("@ID", meter).getBytes(StandardCharsets.UTF_8));
        publish(meter, reading(meter, 1, Instant.now().minusSeconds(10), 1.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> rejectedFor(meter).size() == 1);
        assertThat(rejectedFor(meter).get(0).getString(StoreSchema.REASON)).isEqualTo(reason);
    }

    @Test
    void oversizedPayload_andRegisterGoingBackwards_areRejected() {
        String meter = newMeter();
        Instant t0 = Instant.now().minusSeconds(600);
        publish(meter, reading(meter, 1, t0, 50.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 1);
        publish(meter, reading(meter, 2, t0.plusSeconds(60), 49.0));
        publish(meter, ("{\"meterId\":\"" + meter + "\",\"pad\":\"" + "x".repeat(20_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(10)).until(() -> rejectedFor(meter).size() == 2);
        assertThat(rejectedFor(meter)).extracting(d -> d.getString(StoreSchema.REASON))
                .containsExactlyInAnyOrder("REGISTER_BACKWARDS", "PAYLOAD_TOO_LARGE");
        assertThat(rejectedFor(meter)).allSatisfy(d -> assertThat(d.getString(StoreSchema.PAYLOAD).length()).isLessThanOrEqualTo(2100));
        assertThat(StoredReadings.count(db, meter)).isEqualTo(1);
    }

    @Test
    void statusMessages_setTheMetersConnectionState_newestWins() {
        String meter = newMeter();
        Instant t = Instant.now();
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(StatusMessage.of(meter, ConnectionState.ONLINE, t).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ONLINE".equals(connection(meter)));
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(StatusMessage.of(meter, ConnectionState.OFFLINE, t.plusSeconds(5)).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> "OFFLINE".equals(connection(meter)));
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(StatusMessage.of(meter, ConnectionState.ONLINE, t.minusSeconds(5)).encode()).send();
        publish(meter, reading(meter, 0, t, 1.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 1);
        assertThat(connection(meter)).isEqualTo("OFFLINE");
        meters.of(meter).publishWith().topic("meters/" + meter + "/status").retain(true).payload(new byte[0]).send();
    }

    @Test
    void statusCarryingAClaimVerifier_isStoredAsAnyStatus_butCannotSetOrChangeTheMetersVerifier() {
        // Issue 10: the portal registers the verifier at enrolment; a meter's own message must not key its claim.
        String unclaimed = newMeter();
        String forged = dev.ims.model.meter.ClaimCodes.verifier("ABCDE-FGHJK", dev.ims.model.meter.ClaimCodes.DEFAULT_ITERATIONS);
        Instant t = Instant.now();
        meters.of(unclaimed).publishWith().topic("meters/" + unclaimed + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(new StatusMessage(unclaimed, ConnectionState.ONLINE, t, Map.of("claim", forged)).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> "ONLINE".equals(connection(unclaimed)));
        assertThat(meterField(unclaimed, StoreSchema.CLAIM_VERIFIER)).as("set by a status").isNull();
        assertThat(rejectedFor(unclaimed)).isEmpty();

        // A meter the portal enrolled: its registered verifier stays whatever a status says.
        String enrolled = newMeter();
        String registered = dev.ims.model.meter.ClaimCodes.verifier("KLMNP-QRSTU", dev.ims.model.meter.ClaimCodes.DEFAULT_ITERATIONS);
        Mono.from(db.getCollection(StoreSchema.METERS).insertOne(new Document(StoreSchema.ID, enrolled)
                .append(StoreSchema.CLAIM_VERIFIER, registered))).block();
        meters.of(enrolled).publishWith().topic("meters/" + enrolled + "/status").qos(MqttQos.AT_LEAST_ONCE)
                .payload(new StatusMessage(enrolled, ConnectionState.OFFLINE, t, Map.of("claim", forged)).encode()).send();
        await().atMost(Duration.ofSeconds(10)).until(() -> "OFFLINE".equals(connection(enrolled)));
        assertThat(meterField(enrolled, StoreSchema.CLAIM_VERIFIER)).as("changed by a status").isEqualTo(registered);
    }

    @Test
    void aClientTakingTheIngestsClientId_withAMetersCredentialOrNone_isRefused_andReadingsAreStillStored() {
        String meter = newMeter();
        Credential own = ids.meter(meter);
        // Its own valid credential, but the ingest's client ID.
        Mqtt5BlockingClient withMeterCredential = Mqtt5Client.builder().identifier(INGEST).serverHost("127.0.0.1")
                .serverPort(broker.port()).simpleAuth().username(own.username()).password(own.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().buildBlocking();
        assertThatThrownBy(withMeterCredential::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID));
        Mqtt5BlockingClient withoutCredential = Mqtt5Client.builder().identifier(INGEST).serverHost("127.0.0.1")
                .serverPort(broker.port()).buildBlocking();
        assertThatThrownBy(withoutCredential::connect).isInstanceOfSatisfying(Mqtt5ConnAckException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));
        // The real ingest kept its session and its readings.
        publish(meter, reading(meter, 0, Instant.now().minusSeconds(5), 1.0));
        await().atMost(Duration.ofSeconds(10)).until(() -> StoredReadings.count(db, meter) == 1);
        assertThat(ingest.brokerUp()).isTrue();
    }

    private static Object meterField(String meter, String field) {
        org.bson.Document d = reactor.core.publisher.Mono.from(db.getCollection(StoreSchema.METERS)
                .find(com.mongodb.client.model.Filters.eq(StoreSchema.ID, meter)).first()).block();
        return d == null ? null : d.get(field);
    }

    private static String newMeter() {
        return "it-" + METERS.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    private static byte[] reading(String meter, long seq, Instant ts, double kwh) {
        return CODEC.encode(Reading.of(meter, seq, ts, kwh, 500.0, 230.0, 2.17, null, null));
    }

    private static void publish(String meter, byte[] payload) {
        meters.of(meter).publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE).payload(payload).send();
    }

    private static long count(String collection, String meter) {
        return Mono.from(db.getCollection(collection).countDocuments(Filters.eq(StoreSchema.METER_ID, meter))).block();
    }

    private static Document one(String collection, String id) {
        return Mono.from(db.getCollection(collection).find(Filters.eq("_id", id)).first()).block();
    }

    private static String connection(String meter) {
        Document m = one(StoreSchema.METERS, meter);
        Document last = m == null ? null : m.get(StoreSchema.CONNECTION_LAST, Document.class);
        return last == null ? null : last.getString(StoreSchema.STATE);
    }

    private static List<Document> rejectedFor(String meter) {
        return Flux.from(db.getCollection(StoreSchema.REJECTED).find(Filters.regex(StoreSchema.TOPIC, "/" + meter + "/"))).collectList().block();
    }
}
