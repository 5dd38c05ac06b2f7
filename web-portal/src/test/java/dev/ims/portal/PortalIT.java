package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The portal over a real (embedded) store, answering real HTTP requests; documents seeded as the ingest writes them. */
class PortalIT {

    static EmbeddedStore store;
    static MongoClient mongo;
    static MongoDatabase db;
    static Vertx vertx;
    static Portal portal;
    static java.nio.file.Path dataDir;
    static int port;
    static final HttpClient http = dev.ims.portal.apidoc.ContractCheckingHttpClient.of(HttpClient.newHttpClient());

    /**
     * Starts the store and portal once for every suite of this module (AccountsIT shares them); they stop
     * with the test JVM.
     */
    @BeforeAll
    static synchronized void start() throws Exception {
        if (portal != null) {
            return;
        }
        store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        mongo = MongoClients.create(store.connectionString());
        db = mongo.getDatabase("ims");
        dataDir = java.nio.file.Files.createTempDirectory("portal-it-data");
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "Europe/Berlin", "HTTP_PORT", "0",
                        "IMS_ADMIN_PASSWORD", ADMIN_PASSWORD, "IMS_DATA_DIR", dataDir.toString()), Map.of())
                .withMongoUri(store.connectionString());
        vertx = Vertx.vertx();
        // Every suite signs up its users from 127.0.0.1: the sign-up limit is lifted here (LoginLimitsIT tests it).
        // The suites drop and write TARIFFS and METERS behind the shared portal's back: it keeps no tariff book, and its
        // fleet index reloads before every staff read.
        PortalSettings settings = PortalSettings.load(ims, Map.of("TARIFF_PRICE_PER_KWH", "0.25", PortalSettings.TARIFF_CACHE_SECONDS, "0",
                        dev.ims.portal.fleet.FleetOptions.FLEET_RESYNC_SECONDS, "0"))
                .withPasswordCost(4).withLimits(MANY_SIGNUPS);
        // No broker here, so the portal makes no signing key itself; one is made so enrolments hand out a key set.
        dev.ims.portal.command.SigningKeys.loadOrCreate(settings.commandSigningKeyFile());
        portal = new Portal(settings, db, vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
        staffToken = login("admin", ADMIN_PASSWORD);
        Runtime.getRuntime().addShutdownHook(new Thread(PortalIT::stop));
    }

    static final String ADMIN_PASSWORD = "staff-secret-123";
    static final dev.ims.portal.account.AuthLimits MANY_SIGNUPS = dev.ims.portal.account.AuthLimits.DEFAULTS.withSignupsPerAddress(
            new dev.ims.portal.account.LoginThrottle.Policy(10_000, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1),
                    java.time.Duration.ofSeconds(1)));
    static String staffToken;

    private static void stop() {
        portal.close().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
        mongo.close();
        store.close();
    }

    @BeforeEach
    void clean() {
        for (String c : List.of(METERS, READINGS, DAILY, HOURLY, QUARTER, REJECTED, SERVICES, TARIFFS, COMMANDS, ALARMS, ALARM_HISTORY, ALARM_HOLDS)) {
            Mono.from(db.getCollection(c).drop()).block();
        }
        // Around both DST changes in Berlin: the 23-hour and the 25-hour day.
        day("2026-03-28", 100, 110);
        day("2026-03-29", 110.5, 118.5);
        day("2026-03-30", 118.5, 130.0);
        day("2026-10-24", 200, 210);
        day("2026-10-25", 210, 235.25);
        // The meter's state and latest reading as the tests want them (the seeded history wrote its own).
        Mono.from(db.getCollection(METERS).updateOne(new Document(ID, "m-1"), new Document("$set", new Document(CONNECTION, "ONLINE")
                .append(LAST_SEQ, 5L).append(LAST_SEEN, new Date())
                .append(LATEST, new Document(SEQ, 5L).append(TS, new Date()).append(ENERGY_KWH, 130.0).append(POWER_W, 512.0))),
                new com.mongodb.client.model.UpdateOptions().upsert(true))).block();
    }

    @Test
    void meters_listAndOne_showStateAndLatestReading() throws Exception {
        JsonNode list = get("/api/v1/meters", 200);
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("meterId").asText()).isEqualTo("m-1");
        assertThat(list.get(0).get("state").asText()).isEqualTo("ONLINE");
        assertThat(list.get(0).get("latest").get("energyKwh").asDouble()).isEqualTo(130.0);
        assertThat(get("/api/v1/meters/m-1", 200).get("lastSeq").asLong()).isEqualTo(5);
        // What the ingest writes now: the newest status as {ts, state}, which wins over the older field.
        Mono.from(db.getCollection(METERS).updateOne(new Document(ID, "m-1"), new Document("$set", new Document(CONNECTION_LAST,
                new Document(TS, Date.from(Instant.parse("2026-11-24T10:00:00Z"))).append(STATE, "OFFLINE"))))).block();
        JsonNode one = get("/api/v1/meters/m-1", 200);
        assertThat(one.get("state").asText()).isEqualTo("OFFLINE");
        assertThat(one.get("stateSince").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(one.has(CONNECTION_LAST)).isFalse();
    }

    @Test
    void dayUsage_isTheRegisterDifference_acrossSpringForward_andFallBack() throws Exception {
        JsonNode spring = get("/api/v1/meters/m-1/usage?period=day&from=2026-03-29&to=2026-03-30", 200);
        assertThat(spring).hasSize(2);
        assertThat(spring.get(0).get("period").asText()).isEqualTo("2026-03-29");
        assertThat(spring.get(0).get("kwh").asDouble()).isEqualTo(8.5); // 118.5 - 110 (end of the 28th)
        assertThat(spring.get(0).get("cost").asDouble()).isEqualTo(2.13);
        assertThat(spring.get(0).get("fromKwh").asDouble()).isEqualTo(110.0);
        assertThat(spring.get(1).get("kwh").asDouble()).isEqualTo(11.5);
        JsonNode fall = get("/api/v1/meters/m-1/usage?period=day&from=2026-10-25&to=2026-10-25", 200);
        assertThat(fall.get(0).get("kwh").asDouble()).isEqualTo(25.25);
    }

    @Test
    void monthUsage_isTheSumOfItsDays_andSoIsItsCost() throws Exception {
        JsonNode months = get("/api/v1/meters/m-1/usage?period=month&from=2026-03-01&to=2026-10-31", 200);
        assertThat(months).extracting(m -> m.get("period").asText()).containsExactly("2026-03", "2026-10");
        JsonNode days = get("/api/v1/meters/m-1/usage?period=day&from=2026-03-01&to=2026-03-31", 200);
        double sumKwh = 0;
        double sumCost = 0;
        for (JsonNode d : days) {
            sumKwh += d.get("kwh").asDouble();
            sumCost += d.get("cost").asDouble();
        }
        assertThat(months.get(0).get("kwh").asDouble()).isEqualTo(Math.round(sumKwh * 1000) / 1000.0).isEqualTo(30.0);
        assertThat(months.get(0).get("cost").asDouble()).isEqualTo(Math.round(sumCost * 100) / 100.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/api/v1/meters/nobody                           | 404",
        "/api/v1/meters/a%20b                            | 400",
        "/api/v1/meters/m-1/usage?period=week            | 400",
        "/api/v1/meters/m-1/usage?from=yesterday         | 400",
        "/api/v1/meters/m-1/usage?from=2026-03-02&to=2026-03-01 | 400",
        "/api/v1/meters/m-1/readings?limit=0             | 400",
        "/api/v1/meters/m-1/readings?limit=abc           | 400",
        "/api/v1/meters/nobody/usage                     | 404",
        "/api/v1/nothing-here                            | 404",
    })
    void badRequests_answerTheContractsJsonError(String path, int status) throws Exception {
        JsonNode body = get(path, status);
        assertThat(body.get("error").asText()).isNotBlank();
        assertThat(body.toString()).doesNotContain("Exception", "at dev.");
    }

    @Test
    void readings_comeNewestFirst_withLimit_andGapsListMissingSeqs() throws Exception {
        Instant t = Instant.parse("2026-11-24T10:00:00Z");
        List<dev.ims.model.reading.Reading> seeded = new java.util.ArrayList<>();
        for (long seq : new long[] {0, 1, 2, 5, 6, 9}) {
            seeded.add(StoreSeed.reading("m-gaps", seq, t.plusSeconds(seq * 60), 100.0 + seq));
        }
        StoreSeed.store(db, seeded);
        JsonNode readings = get("/api/v1/meters/m-gaps/readings?limit=2", 200);
        assertThat(readings).extracting(r -> r.get("seq").asLong()).containsExactly(9L, 6L);
        assertThat(readings.get(0).get("ts").asText()).isEqualTo("2026-11-24T10:09:00Z");
        assertThat(readings.get(0).get("meterId").asText()).isEqualTo("m-gaps");
        assertThat(readings.get(0).get("energyKwh").asDouble()).isEqualTo(109.0);
        assertThat(readings.get(0).get("status").asText()).isEqualTo("OK");
        assertThat(readings.get(0).has("_id")).isFalse();
        // A range: from (included) to (excluded), still newest first.
        assertThat(get("/api/v1/meters/m-gaps/readings?from=2026-11-24T10:01:00Z&to=2026-11-24T10:06:00Z", 200))
                .extracting(r -> r.get("seq").asLong()).containsExactly(5L, 2L, 1L);
        JsonNode gaps = get("/api/v1/meters/m-gaps/gaps", 200);
        assertThat(gaps).hasSize(2);
        assertThat(gaps.get(0).get("fromSeq").asLong()).isEqualTo(3);
        assertThat(gaps.get(0).get("toSeq").asLong()).isEqualTo(4);
        assertThat(gaps.get(1).get("count").asLong()).isEqualTo(2);
    }

    @Test
    void gaps_overALongHistory_areFoundWhileStreaming() throws Exception {
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        List<dev.ims.model.reading.Reading> seeded = new java.util.ArrayList<>();
        for (long seq = 0; seq < 12_000; seq++) {
            if (seq == 4_999 || (seq >= 7_000 && seq < 7_010) || seq == 11_998) {
                continue; // missing: one at a 64-seq block's edge, ten in a row, one near the end
            }
            seeded.add(StoreSeed.reading("m-gaps", seq, t.plusSeconds(seq * 10), 100.0 + seq / 1000.0));
        }
        StoreSeed.store(db, seeded);
        JsonNode gaps = get("/api/v1/meters/m-gaps/gaps", 200);
        assertThat(gaps).extracting(g -> g.get("fromSeq").asLong() + "-" + g.get("toSeq").asLong() + ":" + g.get("count").asLong())
                .containsExactly("4999-4999:1", "7000-7009:10", "11998-11998:1");
    }

    @Test
    void health_sumsTheIngestCounters_andShowsTheBroker() throws Exception {
        insert(SERVICES, new Document(ID, "a").append("broker", "UP").append("received", 10).append("stored", 7)
                .append("duplicates", 1).append("rejected", 2).append("heartbeat", new Date()));
        insert(SERVICES, new Document(ID, "b").append("broker", "DOWN").append("received", 5).append("stored", 5)
                .append("duplicates", 0).append("rejected", 0).append("heartbeat", new Date()));
        JsonNode h = get("/health", 200);
        assertThat(h.get("database").asText()).isEqualTo("UP");
        assertThat(h.get("broker").asText()).isEqualTo("UP");
        assertThat(h.get("counters").get("received").asLong()).isEqualTo(15);
        assertThat(h.get("counters").get("rejected").asLong()).isEqualTo(2);
    }

    @Test
    void metrics_forTheScrapersTokenOrStaff_showTheFleet() throws Exception {
        // A decommissioned meter whose last status was ONLINE (Mosquitto closes its session without its will) is not in the fleet.
        insert(METERS, new Document(ID, "m-gone").append(CONNECTION_LAST, new Document(TS, new Date()).append(STATE, "ONLINE"))
                .append(DECOMMISSIONED, new Document(AT, new Date()).append("by", "admin").append(REASON, "removed")));
        assertThat(getText("/metrics", 401, null)).doesNotContain("ims_fleet");
        String token = "scraper-token-0123456789";
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", ADMIN_PASSWORD), Map.of())
                .withMongoUri(store.connectionString());
        Portal scraped = new Portal(PortalSettings.load(ims, Map.of("METRICS_TOKEN", token)).withPasswordCost(4), db, vertx);
        int other = scraped.start().toCompletionStage().toCompletableFuture().get();
        try {
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other + "/metrics"))
                    .header("Authorization", "Bearer " + token).build();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    http.send(scrape, HttpResponse.BodyHandlers.ofString()).body().contains("ims_fleet_meters{state=\"ONLINE\"} 1.0"));
            String body = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("ims_fleet_meters{state=\"OFFLINE\"} 0.0").contains("ims_commands_open{state=\"PENDING\"}")
                    .contains("jvm_memory_used_bytes");
            HttpRequest wrong = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other + "/metrics"))
                    .header("Authorization", "Bearer not-the-token-at-all-000").build();
            assertThat(http.send(wrong, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        } finally {
            scraped.close().toCompletionStage().toCompletableFuture().get();
        }
        assertThat(getText("/metrics", 200)).contains("ims_fleet_meters");
    }

    @Test
    void alarms_showWhatStaffMustLookAt_mostSevereFirst_andTheFleetPageListsThem() throws Exception {
        Date now = new Date();
        Date longAgo = Date.from(Instant.now().minusSeconds(3600));
        // A bridge's source report: SILENT on an offline meter is stale (METER_OFFLINE says more); OK says nothing.
        insert(METERS, new Document(ID, "m-off").append(CONNECTION_LAST, new Document(TS, longAgo).append(STATE, "OFFLINE")).append(LAST_SEEN, longAgo)
                .append(SOURCE, new Document(AT, longAgo).append(STATE, "SILENT").append(LAST_DATA, longAgo)));
        Date lastData = Date.from(Instant.parse("2026-11-29T06:15:00Z"));
        insert(METERS, new Document(ID, "m-nodata").append(CONNECTION_LAST, new Document(TS, longAgo).append(STATE, "ONLINE")).append(LAST_SEEN, now)
                .append(SOURCE, new Document(AT, now).append(STATE, "SILENT").append(LAST_DATA, lastData).append(COUNTERS, new Document("port.reopened", 3L))));
        insert(METERS, new Document(ID, "m-gone").append(CONNECTION_LAST, new Document(TS, longAgo).append(STATE, "ONLINE")).append(LAST_SEEN, longAgo)
                .append(DECOMMISSIONED, new Document(AT, now).append("by", "admin").append(REASON, "removed"))
                .append(SOURCE, new Document(AT, now).append(STATE, "SILENT").append(LAST_DATA, longAgo)));
        insert(METERS, new Document(ID, "m-fine").append(CONNECTION_LAST, new Document(TS, longAgo).append(STATE, "ONLINE")).append(LAST_SEEN, now)
                .append(SOURCE, new Document(AT, now).append(STATE, "OK").append(LAST_DATA, now)));
        insert(METERS, new Document(ID, "m-silent").append(CONNECTION_LAST, new Document(TS, longAgo).append(STATE, "ONLINE")).append(LAST_SEEN, longAgo));
        insert(METERS, new Document(ID, "m-fault").append(CONNECTION, "ONLINE").append(LAST_SEEN, now)
                .append(LATEST, new Document(SEQ, 1L).append(TS, now).append(STATUS, "FAULT").append(FAULT, "OVERVOLTAGE").append(RELAY, "OFF")));
        insert(COMMANDS, new Document(ID, "c-failed").append(METER_ID, "m-fault").append(RELAY, "ON").append(STATE, "FAILED")
                .append(REQUESTED_AT, now).append(ERROR, "the meter refused it: relay welded"));
        insert(COMMANDS, new Document(ID, "c-stuck").append(METER_ID, "m-1").append(RELAY, "OFF").append(STATE, "PENDING")
                .append(REQUESTED_AT, Date.from(Instant.now().minusSeconds(600))));
        insert(SERVICES, new Document(ID, "ingest-a").append("broker", "DOWN").append("heartbeat", now));
        insert(REJECTED, new Document(TOPIC, "meters/x/reading").append(REASON, "MALFORMED_JSON").append(RECEIVED_AT, now));

        // The kinds the ingest raises from what it receives, as it writes them (IngestAlarmsIT: the ingest itself).
        raise(dev.ims.store.alarm.AlarmKind.METER_OFFLINE, "m-off", longAgo.toInstant(), "the meter's status is OFFLINE");
        raise(dev.ims.store.alarm.AlarmKind.METER_FAULT, "m-fault", now.toInstant(), "reading seq 1 shows status FAULT, fault OVERVOLTAGE");
        raise(dev.ims.store.alarm.AlarmKind.SUPPLY_OFF, "m-fault", now.toInstant(), "reading seq 1 shows the relay OFF");
        raise(dev.ims.store.alarm.AlarmKind.METER_OFFLINE, "m-gone", longAgo.toInstant(), "the meter's status is OFFLINE");
        sweep();

        JsonNode alarms = get("/api/v1/alarms", 200);
        List<String> kinds = new java.util.ArrayList<>();
        alarms.forEach(a -> kinds.add(a.get("kind").asText() + (a.get("meterId").isNull() ? "" : "@" + a.get("meterId").asText())));
        assertThat(kinds).containsExactlyInAnyOrder("METER_OFFLINE@m-off", "METER_SILENT@m-silent", "METER_FAULT@m-fault", "SUPPLY_OFF@m-fault",
                "METER_NO_DATA@m-nodata",
                "COMMAND_FAILED@m-fault", "COMMAND_UNANSWERED@m-1", "BROKER_DOWN", "PAYLOADS_REJECTED");
        assertThat(alarms.get(0).get("severity").asText()).isEqualTo("critical");
        assertThat(alarms.get(alarms.size() - 1).get("severity").asText()).isEqualTo("info");
        assertThat(alarms.findValuesAsText("detail")).anyMatch(d -> d.contains("relay welded")).anyMatch(d -> d.contains("OVERVOLTAGE"));
        assertThat(alarms).allSatisfy(a -> assertThat(a.get("state").asText()).isEqualTo("open"));
        // The decommissioned meter's alarm was cleared by the sweep: out of service, nothing to watch.
        JsonNode gone = get("/api/v1/alarms?state=cleared&meterId=m-gone", 200);
        assertThat(gone).hasSize(1);
        assertThat(gone.get(0).at("/cleared/by").asText()).isEqualTo("auto");
        assertThat(gone.get(0).at("/cleared/evidence/text").asText()).contains("decommissioned");
        assertThat(get("/api/v1/alarms/COMMAND_FAILED/m-fault", 200).at("/evidence/commandId").asText()).isEqualTo("c-failed");

        assertThat(alarms.findValuesAsText("detail")).anyMatch(d -> d.contains("no data from the meter since 2026-11-29T06:15:00Z"));
        assertThat(get("/api/v1/meters/m-nodata", 200).get("noDataSince").asText()).isEqualTo("2026-11-29T06:15:00Z");
        assertThat(get("/api/v1/meters/m-fine", 200).has("noDataSince")).isFalse();
        assertThat(get("/api/v1/meters/m-off", 200).has("noDataSince")).isFalse();
        assertThat(getText("/meters/m-nodata", 200)).contains("id=\"notice-no-data\"").contains("No data from the meter since 2026-11-29T06:15:00Z");
        assertThat(getText("/meters/m-fine", 200)).doesNotContain("notice-no-data");

        String page = getText("/", 200);
        assertThat(page).contains("http-equiv=\"refresh\"").contains("data-kind=\"METER_FAULT\"").contains("data-kind=\"COMMAND_FAILED\"")
                .contains("id=\"fleet-summary\"").contains("href=\"/staff/alarms\"");
        // Healthy again: no ingest alarm once a live instance is connected, none for meters that are fine.
        Mono.from(db.getCollection(SERVICES).drop()).block();
        insert(SERVICES, new Document(ID, "ingest-b").append("broker", "UP").append("heartbeat", new Date()));
        sweep();
        assertThat(get("/api/v1/alarms?state=cleared&kind=BROKER_DOWN", 200).findValuesAsText("subject")).containsExactly("ingest-a");
        assertThat(get("/api/v1/alarms", 200).findValuesAsText("kind")).doesNotContain("BROKER_DOWN", "NO_INGEST")
                .noneMatch(k -> k.contains("m-1") );
    }

    @Test
    void rejected_listsNewestFirst() throws Exception {
        insert(REJECTED, new Document(TOPIC, "meters/x/reading").append(REASON, "MALFORMED_JSON").append(RECEIVED_AT, new Date(1000)));
        insert(REJECTED, new Document(TOPIC, "meters/y/reading").append(REASON, "WRONG_TYPE").append(RECEIVED_AT, new Date(2000)));
        JsonNode r = get("/api/v1/rejected?limit=10", 200);
        assertThat(r).extracting(x -> x.get("reason").asText()).containsExactly("WRONG_TYPE", "MALFORMED_JSON");
    }

    @Test
    void pages_render_theMeterListAndTheMeterWithItsUsageTables() throws Exception {
        String index = getText("/", 200);
        assertThat(index).contains("m-1").contains("ONLINE").contains("130.000");
        String page = getText("/meters/m-1", 200);
        assertThat(page).contains("Meter <span class=\"id\">m-1</span>").contains("Daily units in").contains("<svg")
                .contains("id=\"bill-to-date\"").contains("id=\"forecast\"");
        assertThat(getText("/meters/nobody", 404)).contains("no meter nobody");
        assertThat(getText("/meters/m-1?view=year&date=2026-10-25", 200)).contains("Monthly units in 2026");
        assertThat(getText("/static/style.css", 200)).contains("--accent");
    }

    /** A day whose register went from {@code min} at local midnight to {@code max} at 23:00: two readings, stored as the ingest stores them. */
    static void day(String day, double min, double max) {
        StoreSeed.store(db, List.of(StoreSeed.reading("m-1", LocalDate.parse(day).atStartOfDay(StoreSeed.BERLIN).toInstant(), min),
                StoreSeed.reading("m-1", LocalDate.parse(day).atTime(23, 0).atZone(StoreSeed.BERLIN).toInstant(), max)));
    }

    /** An hour of {@code meterId} whose register went from {@code min} at its start to {@code max} at its 59th minute. */
    static void hour(String meterId, Instant start, double min, double max) {
        StoreSeed.store(db, StoreSeed.hour(meterId, start, min, max));
    }

    /** One alarm sweep of the shared portal, now (its timer sweeps every 30 s). */
    static void sweep() throws Exception {
        portal.alarmSweeper().sweep().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Raises an alarm about {@code meterId} as the ingest writes it. */
    static void raise(dev.ims.store.alarm.AlarmKind kind, String meterId, Instant since, String text) {
        Mono.from(db.getCollection(ALARMS).bulkWrite(List.of(dev.ims.store.alarm.AlarmRecords.raise(new dev.ims.store.alarm.AlarmRecords.Raise(
                kind, meterId, meterId, since, since, dev.ims.store.alarm.AlarmRecords.evidence(text)))))).block();
    }

    static void insert(String collection, Document d) {
        Mono.from(db.getCollection(collection).insertOne(d)).block();
    }

    static JsonNode get(String path, int status) throws Exception {
        return Json.mapper().readTree(getText(path, status));
    }

    private static String getText(String path, int status) throws Exception {
        return getText(path, status, staffToken);
    }

    static String getText(String path, int status, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(java.time.Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(status);
        return r.body();
    }

    /** Makes {@code meterId} an enrolled, active meter in {@code db} (as an enrolment would; any secret). */
    static void enrolled(com.mongodb.reactivestreams.client.MongoDatabase db, String meterId) {
        reactor.core.publisher.Mono.from(db.getCollection(dev.ims.model.storage.StoreSchema.DEVICES).replaceOne(new Document("_id", meterId),
                new Document("_id", meterId).append(dev.ims.model.storage.StoreSchema.DEVICE_STATE, dev.ims.model.storage.StoreSchema.DEVICE_ACTIVE)
                        .append(dev.ims.model.storage.StoreSchema.SECRET_VERIFIER, dev.ims.model.security.Secrets.verifier(meterId + "-secret-for-tests-only-0123456789")),
                new com.mongodb.client.model.ReplaceOptions().upsert(true))).block();
    }

    static HttpResponse<String> post(String path, String json, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(java.time.Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String login(String username, String password) throws Exception {
        HttpResponse<String> r = post("/api/v1/login", Json.mapper().writeValueAsString(Map.of("username", username, "password", password)), null);
        assertThat(r.statusCode()).as("login of " + username + ": " + r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }
}
