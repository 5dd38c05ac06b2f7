package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.command.CircuitCommand;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.command.MeterCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.portal.command.CommandService;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The portal's side of circuit control on a real broker and store: a consumer's circuit command for an offline meter
 * is queued and delivered, signed for the meter, when it comes online; a schedule set through the dashboard's form is
 * kept, and whether it was followed is judged from the hourly rollups' circuit registers.
 */
class CircuitControlPortalIT {

    @TempDir
    static Path dataDir;

    static EmbeddedBroker broker;
    static Portal portal;
    static MongoDatabase db;
    static int port;
    static ZoneId zone;
    static final BrokerIdentities ids = new BrokerIdentities();
    static MeterSides meterSide;
    static final Map<String, byte[]> published = new ConcurrentHashMap<>();
    static final HttpClient browser = dev.ims.portal.apidoc.ContractCheckingHttpClient.of(HttpClient.newBuilder().cookieHandler(new CookieManager()).build());
    static final String USER = "carol-circuits";
    static final String PASSWORD = "correct-horse-42";
    static String token;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        db = PortalIT.mongo.getDatabase("circuits");
        Mono.from(db.drop()).block();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dataDir.resolve("broker")).withSecurity(ids.security()));
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD, "IMS_DATA_DIR", dataDir.toString(),
                "TIME_ZONE", "Europe/Berlin"), Map.of()).withMongoUri(PortalIT.store.connectionString()).withMqttUrl(broker.url())
                .withMqttCredential(ids.portal("ims-portal"));
        zone = ims.timeZone();
        // A dual rate: 0.20 EUR/kWh, 17:00–22:00 at 0.40, 20 % VAT (0.24 and 0.48 a kWh with it); savings judged after 2 days.
        Path tariff = dataDir.resolve("tariff.json");
        java.nio.file.Files.writeString(tariff, "{\"versions\":[{\"validFrom\":\"2020-01-01\",\"name\":\"Dual\",\"currency\":\"EUR\","
                + "\"pricePerKwh\":0.20,\"standingChargePerDay\":0,\"vatPercent\":20,"
                + "\"bands\":[{\"name\":\"peak\",\"pricePerKwh\":0.40,\"fromHour\":17,\"toHour\":22}]}]}");
        portal = new Portal(PortalSettings.load(ims, Map.of("TARIFF_FILE", tariff.toString())).withPasswordCost(4).withCircuitSavingDays(2), db,
                PortalIT.vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
        meterSide = new MeterSides(broker.port(), ids).onPublish(p -> published.put(p.getTopic().toString(), p.getPayloadAsBytes()));
        HttpResponse<String> signup = postForm("/signup", "/signup", Map.of("username", USER, "password", PASSWORD, "password2", PASSWORD));
        assertThat(signup.statusCode()).as(signup.body()).isEqualTo(303);
        HttpResponse<String> login = api(null, "POST", "/api/v1/login", "{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        token = Json.mapper().readTree(login.body()).get("token").asText();
    }

    @AfterAll
    static void stop() {
        if (meterSide != null) {
            meterSide.close();
        }
        if (portal != null) {
            portal.close().toCompletionStage().toCompletableFuture().join();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static void meterDoc(String meter, String connection) {
        List<Document> circuits = List.of(new Document("id", "water-heater").append("name", "Water heater").append("kind", "WATER_HEATER")
                .append("critical", false).append("switchable", true));
        Mono.from(db.getCollection(METERS).insertOne(new Document(ID, meter).append(OWNER, USER).append(CONNECTION, connection)
                .append(LAST_SEEN, new Date()).append("circuits", new Document("at", new Date()).append("list", circuits)))).block();
    }

    /** An hour's two readings: the meter's and the water heater's registers at their lowest at :00, at their highest at :59. */
    static List<dev.ims.model.reading.Reading> hour(String meter, Instant start, double min, double max, double heaterMin, double heaterMax) {
        List<dev.ims.model.reading.Reading> two = StoreSeed.hour(meter, start, min, max);
        return List.of(StoreSeed.withCircuit(two.get(0), "water-heater", heaterMin), StoreSeed.withCircuit(two.get(1), "water-heater", heaterMax));
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    static HttpResponse<String> api(String token, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return PortalIT.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> postForm(String page, String action, Map<String, String> fields) throws Exception {
        Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"")
                .matcher(browser.send(HttpRequest.newBuilder(uri(page)).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(m.find()).as("a csrf field on " + page).isTrue();
        Map<String, String> all = new LinkedHashMap<>(fields);
        all.put("csrf", m.group(1));
        String form = all.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return browser.send(HttpRequest.newBuilder(uri(action)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void circuitCommand_forAnOfflineMeter_isQueued_andDeliveredSignedForIt_whenItComesOnline() throws Exception {
        String meter = "IMS-CIRC-Q1";
        meterDoc(meter, "OFFLINE");
        HttpResponse<String> r = api(token, "POST", "/api/v1/meters/" + meter + "/circuits/water-heater/relay", "{\"relay\":\"ON\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("state").asText()).isEqualTo("QUEUED");
        String id = body.get("commandId").asText();
        assertThat(published).doesNotContainKey("meters/" + meter + "/command");

        // The meter comes online: its retained birth makes the portal deliver the stored command.
        meterSide.meter(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(StatusMessage.of(meter, ConnectionState.ONLINE, Instant.now()).encode()).send();
        await().atMost(Duration.ofSeconds(15)).until(() -> published.containsKey("meters/" + meter + "/command"));
        MeterCommand delivered = MeterCommand.decode(published.get("meters/" + meter + "/command"));
        assertThat(delivered).isInstanceOfSatisfying(CircuitCommand.class, c -> {
            assertThat(c.commandId()).isEqualTo(id);
            assertThat(c.circuit()).isEqualTo("water-heater");
            assertThat(c.relay()).isEqualTo(RelayState.ON);
        });
        CommandVerifier verifier = new CommandVerifier(CommandKeySet.read(CommandKeys.defaultKeySetFile(dataDir)));
        assertThat(verifier.verify(meter, delivered, Instant.now()).ok()).isTrue();
        assertThat(verifier.verify("IMS-CIRC-OTHER", delivered, Instant.now()).ok()).isFalse();
        Document stored = Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, id)).first()).block();
        assertThat(stored.getString(STATE)).isEqualTo("PENDING");
        assertThat(CommandService.wire(stored).encode()).isEqualTo(published.get("meters/" + meter + "/command"));
    }

    @Test
    void scheduleSetThroughTheForm_isKept_andYesterdaysUseOutsideItsWindows_showsItWasNotFollowed() throws Exception {
        String meter = "IMS-CIRC-S1";
        meterDoc(meter, "ONLINE");
        meterSide.meter(meter);
        HttpResponse<String> form = postForm("/account", "/meters/" + meter + "/circuits/water-heater/schedule",
                Map.of("preset", "CUSTOM", "windows", "00:00-06:00", "hours", "3"));
        assertThat(form.statusCode()).as(form.body()).isEqualTo(303);
        await().atMost(Duration.ofSeconds(15)).until(() -> published.containsKey("meters/" + meter + "/command"));
        assertThat(new String(published.get("meters/" + meter + "/command"), StandardCharsets.UTF_8)).contains("\"type\":\"SCHEDULE\"")
                .contains("\"maxHoursPerDay\":3");

        // Yesterday: 1 kWh at 02:00 (inside), 1.5 kWh at 19:00 (outside), the register flat otherwise.
        LocalDate yesterday = LocalDate.now(zone).minusDays(1);
        double register = 100;
        List<dev.ims.model.reading.Reading> readings = new java.util.ArrayList<>();
        for (int h = 0; h <= 24; h++) {
            Instant start = yesterday.atStartOfDay(zone).toInstant().plus(Duration.ofHours(h));
            double used = h == 2 ? 1.0 : h == 19 ? 1.5 : 0;
            readings.addAll(hour(meter, start, 1000 + register, 1000 + register + used, register, register + used));
            register += used;
        }
        StoreSeed.store(db, zone, readings);
        HttpResponse<String> kept = api(token, "GET", "/api/v1/meters/" + meter + "/circuits/water-heater/schedule", null);
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
        JsonNode k = Json.mapper().readTree(kept.body());
        assertThat(k.get("preset").asText()).isEqualTo("CUSTOM");
        assertThat(k.get("schedule").get("windows").get(0).get("to").asText()).isEqualTo("06:00");
        JsonNode verdict = k.get("followedYesterday");
        assertThat(verdict.get("day").asText()).isEqualTo(yesterday.toString());
        assertThat(verdict.get("followed").asBoolean()).isFalse();
        assertThat(verdict.get("kwhOutside").asDouble()).isEqualTo(1.5);
        assertThat(verdict.get("onHours").asInt()).isEqualTo(2);

        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(uri("/meters/" + meter)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
    }

    @Test
    void adviceNamesTheWaterHeater_itsOfferIsKeptWithTheSchedule_andAfterTheSavingDaysTheSavingAchievedIsShown() throws Exception {
        String meter = "IMS-CIRC-A1";
        meterDoc(meter, "ONLINE");
        meterSide.meter(meter);
        LocalDate today = LocalDate.now(zone);
        LocalDate setOn = today.minusDays(3);
        // 28 days: the house draws 0.1 kWh every hour plus the water heater's 2 kWh, which ran at 19:00 (0.48 a kWh) before
        // setOn and at 02:00 (0.24) from setOn on.
        double house = 1000;
        double heater = 100;
        List<dev.ims.model.reading.Reading> readings = new java.util.ArrayList<>();
        for (LocalDate day = today.minusDays(28); day.isBefore(today); day = day.plusDays(1)) {
            int heatAt = day.isBefore(setOn) ? 19 : 2;
            for (Instant start = day.atStartOfDay(zone).toInstant(); start.isBefore(day.plusDays(1).atStartOfDay(zone).toInstant());
                    start = start.plus(Duration.ofHours(1))) {
                double used = start.atZone(zone).getHour() == heatAt ? 2.0 : 0;
                readings.addAll(hour(meter, start, house, house + 0.1 + used, heater, heater + used));
                house += 0.1 + used;
                heater += used;
            }
        }
        StoreSeed.store(db, zone, readings);
        JsonNode advice = Json.mapper().readTree(api(token, "GET", "/api/v1/meters/" + meter + "/advice", null).body());
        JsonNode shift = null;
        for (JsonNode s : advice.get("suggestions")) {
            if (s.get("kind").asText().equals("SHIFT_TO_CHEAP_HOURS")) {
                shift = s;
            }
        }
        assertThat(shift).as(advice.toString()).isNotNull();
        // 25 days at 19:00 in the window × 2 kWh = 50 kWh; moved to the cheapest band: 50 × (0.40 − 0.20) × 1.2 = 12.00 EUR
        // in 28 days, × (365/12) / 28 = 13.04 a month; 50 × 30.41667 / 28 = 54.3 kWh a month.
        assertThat(shift.get("circuit").asText()).isEqualTo("water-heater");
        assertThat(shift.get("schedule").asText()).isEqualTo("CHEAPEST_BAND");
        assertThat(shift.get("estimatedSavingPerMonth").asDouble()).isEqualTo(13.04);
        assertThat(shift.get("title").asText()).startsWith("Your Water heater uses 54.3 kWh a month in the peak hours");
        String page = browser.send(HttpRequest.newBuilder(uri("/meters/" + meter)).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(page).contains("id=\"advice-schedule-water-heater\"").contains("name=\"fromAdvice\" value=\"true\"");

        HttpResponse<String> set = api(token, "PUT", "/api/v1/meters/" + meter + "/circuits/water-heater/schedule",
                "{\"preset\":\"CHEAPEST_BAND\",\"fromAdvice\":true}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(202);
        assertThat(Json.mapper().readTree(set.body()).get("savingEstimated").asDouble()).isEqualTo(13.04);
        JsonNode pending = schedule(meter);
        assertThat(pending.get("savingEstimated").asDouble()).isEqualTo(13.04);
        assertThat(pending.get("savingAchieved").isNull()).isTrue();
        assertThat(pending.get("savingFrom").asText()).isEqualTo(today.plusDays(3).toString());

        // As if it had been set on setOn: its 2 days after (setOn+1, setOn+2) are complete.
        Mono.from(db.getCollection(CIRCUIT_SCHEDULES).updateOne(Filters.eq(ID, meter + "/water-heater"),
                com.mongodb.client.model.Updates.set(REQUESTED_AT, Date.from(setOn.atTime(12, 0).atZone(zone).toInstant())))).block();
        JsonNode done = schedule(meter);
        // Before: 4 kWh at 19:00 = 1.92 (0.48 a kWh). After: 4 kWh at 02:00 = 0.96. 4 × 0.48 − 0.96 = 0.96 in 2 days → 14.60 a month.
        assertThat(done.get("savingAchieved").asDouble()).as(done.toString()).isEqualTo(14.60);
        assertThat(done.get("savingEstimated").asDouble()).isEqualTo(13.04);
        assertThat(done.get("savingBasis").get("beforeCost").asDouble()).isEqualTo(1.92);
        assertThat(done.get("savingBasis").get("afterCost").asDouble()).isEqualTo(0.96);
        String shown = browser.send(HttpRequest.newBuilder(uri("/meters/" + meter)).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(shown).contains("id=\"circuit-water-heater-saving\"").contains("14.60").contains("13.04");
    }

    /** The circuit's schedule as {@code GET /api/v1/meters/{id}/circuits} shows it. */
    private static JsonNode schedule(String meter) throws Exception {
        HttpResponse<String> r = api(token, "GET", "/api/v1/meters/" + meter + "/circuits", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (JsonNode c : Json.mapper().readTree(r.body()).get("circuits")) {
            if (c.get("id").asText().equals("water-heater")) {
                return c.get("schedule");
            }
        }
        throw new AssertionError("no water-heater in " + r.body());
    }
}
