package dev.ims.launcher;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.client.circuit.CircuitDevice;
import dev.ims.client.meter.MeterDevice;
import dev.ims.client.mqtt.MeterConnection;
import dev.ims.client.relay.CommandGuard;
import dev.ims.client.relay.CommandTrust;
import dev.ims.client.relay.RelayRules;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.model.security.Credential;
import dev.ims.portal.device.Provisioned;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * The owner's circuit control end to end on the one-command stack (embedded broker, store, ingest, portal) with a meter
 * that has circuits: a consumer switches their water heater (CONFIRMED by the meter's acknowledgement) and sets a schedule
 * the meter then runs; they cannot touch the supply relay, another consumer's meter, or a critical circuit; staff see the
 * commands in the audit trail but cannot send them.
 */
class CircuitControlIT {

    @TempDir
    static Path dir;

    static LocalStack stack;
    static MongoClient mongo;
    static MongoDatabase db;
    static final String ADMIN_PASSWORD = "circuit-staff-42";
    static final String HOME = "circ-home-1";
    static final String NEIGHBOUR = "circ-home-2";
    static Home home;
    static MeterConnection connection;
    static Consumer alice;
    static Consumer bob;
    static String staffToken;

    /** A home with a water heater (switchable), a fridge (critical) and a washing machine (no relay). */
    static final class Home implements MeterDevice, CircuitDevice {
        final String id;
        final Map<String, RelayState> relays = new ConcurrentHashMap<>(Map.of("water-heater", RelayState.OFF, "fridge", RelayState.ON));
        final Map<String, String> running = new ConcurrentHashMap<>();
        volatile int supplySwitches;

        Home(String id) {
            this.id = id;
        }

        @Override
        public String meterId() {
            return id;
        }

        @Override
        public String claimVerifier() {
            return "unused";
        }

        @Override
        public RelayState relay() {
            return RelayState.ON;
        }

        @Override
        public RelayState switchRelay(RelayState wanted) {
            supplySwitches++;
            return wanted;
        }

        @Override
        public List<CircuitInfo> circuits() {
            return List.of(new CircuitInfo("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, true),
                    new CircuitInfo("fridge", "Fridge", CircuitKind.FRIDGE, true, true),
                    new CircuitInfo("washer", "Washing machine", CircuitKind.WASHING_MACHINE, false, false));
        }

        @Override
        public RelayState circuitRelay(String circuitId) {
            return relays.get(circuitId);
        }

        @Override
        public RelayState switchCircuit(String circuitId, RelayState wanted) {
            relays.put(circuitId, wanted);
            return wanted;
        }

        @Override
        public void scheduleRunning(String circuitId, String scheduleId) {
            if (scheduleId == null) {
                running.remove(circuitId);
            } else {
                running.put(circuitId, scheduleId);
            }
        }
    }

    /** A consumer's session: a cookie-keeping client for forms and a bearer token for the API. */
    static final class Consumer {
        static final String PASSWORD = "correct-horse-42";
        private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]*)\"");
        final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        final String username;
        String token;

        Consumer(String username) {
            this.username = username;
        }

        static Consumer signUp(String username) throws Exception {
            Consumer c = new Consumer(username);
            HttpResponse<String> r = c.postForm("/signup", "/signup", Map.of("username", username, "password", PASSWORD, "password2", PASSWORD));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
            c.token = login(username, PASSWORD);
            return c;
        }

        HttpResponse<String> postForm(String page, String action, Map<String, String> fields) throws Exception {
            Matcher m = CSRF.matcher(browser.send(HttpRequest.newBuilder(uri(page)).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(m.find()).as("a csrf field on " + page).isTrue();
            Map<String, String> all = new LinkedHashMap<>(fields);
            all.put("csrf", m.group(1));
            String form = all.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            return browser.send(HttpRequest.newBuilder(uri(action)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> api(String method, String path, String json) throws Exception {
            return CircuitControlIT.api(token, method, path, json);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("TIME_ZONE", "Europe/Berlin", "HTTP_PORT", "0", "MQTT_PORT", "0", "MQTT_TLS_PORT", "0",
                "MONGO_PORT", "0", "IMS_DATA_DIR", dir.toString(), "IMS_ADMIN_PASSWORD", ADMIN_PASSWORD));
        stack = LocalStack.start(ImsSettings.load(env, Map.of()), new LocalStack.Options(1, 1, 1, Duration.ZERO));
        mongo = MongoClients.create(stack.mongoUri());
        db = mongo.getDatabase(ImsSettings.load(env, Map.of()).mongoDatabase());
        staffToken = login("admin", ADMIN_PASSWORD);

        Provisioned mine = stack.devices().provision(HOME, "circuit test").toCompletableFuture().get(30, TimeUnit.SECONDS);
        Provisioned theirs = stack.devices().provision(NEIGHBOUR, "circuit test").toCompletableFuture().get(30, TimeUnit.SECONDS);
        home = new Home(HOME);
        Path state = dir.resolve("home").resolve("meter-state.json");
        Files.createDirectories(state.getParent());
        ImsSettings meterSettings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.resolve("home").toString()), Map.of()).withMqttUrl(stack.mqttUrl());
        connection = new MeterConnection(home, new Credential(HOME, mine.secret()), meterSettings, Clock.systemUTC(),
                CommandGuard.forStateFile(state, HOME, CommandTrust.load(stack.commandKeySetFile()), RelayRules.withMinSwitchInterval(Duration.ZERO)));
        connection.connect().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(state(HOME)));
        // The meters' circuit descriptions, as the ingest keeps them from a meter's birth (issue 12, circuit data).
        for (String meter : List.of(HOME, NEIGHBOUR)) {
            List<Document> circuits = home.circuits().stream().map(c -> new Document("id", c.id()).append("name", c.name())
                    .append("kind", c.kind().name()).append("critical", c.critical()).append("switchable", c.switchable())).toList();
            Mono.from(db.getCollection(METERS).updateOne(Filters.eq(ID, meter), Updates.set("circuits", new Document("at", new java.util.Date()).append("list", circuits)))).block();
        }
        alice = Consumer.signUp("alice-circuits");
        bob = Consumer.signUp("bob-circuits");
        claim(alice, HOME, mine.claimCode());
        claim(bob, NEIGHBOUR, theirs.claimCode());
    }

    @AfterAll
    static void stop() {
        if (connection != null) {
            connection.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + stack.portalPort() + path);
    }

    static String login(String username, String password) throws Exception {
        HttpResponse<String> r = api(null, "POST", "/api/v1/login", Json.mapper().writeValueAsString(Map.of("username", username, "password", password)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }

    static HttpResponse<String> api(String token, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void claim(Consumer c, String meter, String code) throws Exception {
        HttpResponse<String> r = c.api("POST", "/api/v1/meters/" + meter + "/claim", "{\"claimCode\":\"" + code + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    static String state(String meter) {
        Document m = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, meter)).first()).block();
        Document last = m == null ? null : m.get(CONNECTION_LAST, Document.class);
        return last != null ? last.getString(STATE) : m == null ? null : m.getString(CONNECTION);
    }

    static JsonNode command(String token, String id) throws Exception {
        HttpResponse<String> r = api(token, "GET", "/api/v1/commands/" + id, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    static String commandId(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return Json.mapper().readTree(r.body()).get("commandId").asText();
    }

    @Test
    void owner_switchesTheirCircuit_confirmedByTheMetersAck_andStaffSeeItInTheAuditTrail() throws Exception {
        String on = commandId(alice.api("POST", "/api/v1/meters/" + HOME + "/circuits/water-heater/relay", "{\"relay\":\"ON\"}"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "CONFIRMED".equals(command(alice.token, on).get("state").asText()));
        assertThat(home.relays.get("water-heater")).isEqualTo(RelayState.ON);
        assertThat(home.supplySwitches).isZero();

        JsonNode audited = command(staffToken, on);
        assertThat(audited.get("type").asText()).isEqualTo("CIRCUIT");
        assertThat(audited.get("circuit").asText()).isEqualTo("water-heater");
        assertThat(audited.get("requestedBy").asText()).isEqualTo(alice.username);
        assertThat(audited.get("ackRelay").asText()).isEqualTo("ON");
        assertThat(audited.get("history")).extracting(h -> h.get("state").asText()).containsExactly("PENDING", "CONFIRMED");
        HttpResponse<String> list = api(staffToken, "GET", "/api/v1/meters/" + HOME + "/commands", null);
        assertThat(Json.mapper().readTree(list.body())).extracting(c -> c.get("commandId").asText()).contains(on);
        // The owner sees their command's state, not who asked.
        assertThat(command(alice.token, on).has("requestedBy")).isFalse();

        // The dashboard's form (no script): the same command path, CSRF-checked, back to the meter page.
        HttpResponse<String> form = alice.postForm("/account", "/meters/" + HOME + "/circuits/water-heater/relay", Map.of("relay", "OFF"));
        assertThat(form.statusCode()).as(form.body()).isEqualTo(303);
        assertThat(form.headers().firstValue("Location")).contains("/meters/" + HOME + "#circuits");
        await().atMost(Duration.ofSeconds(30)).until(() -> home.relays.get("water-heater") == RelayState.OFF);
    }

    @Test
    void owner_setsAScheduleFromTheTariff_theMeterRunsIt_andRemovingItStopsIt() throws Exception {
        HttpResponse<String> r = alice.api("PUT", "/api/v1/meters/" + HOME + "/circuits/water-heater/schedule",
                "{\"preset\":\"CHEAPEST_HOURS\",\"hours\":3}");
        String id = commandId(r);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("schedule").get("maxHoursPerDay").asInt()).isEqualTo(3);
        assertThat(body.get("schedule").get("zone").asText()).isEqualTo("Europe/Berlin");
        await().atMost(Duration.ofSeconds(30)).until(() -> "CONFIRMED".equals(command(alice.token, id).get("state").asText()));
        assertThat(home.running).containsEntry("water-heater", id);

        HttpResponse<String> kept = alice.api("GET", "/api/v1/meters/" + HOME + "/circuits/water-heater/schedule", null);
        assertThat(kept.statusCode()).as(kept.body()).isEqualTo(200);
        JsonNode k = Json.mapper().readTree(kept.body());
        assertThat(k.get("preset").asText()).isEqualTo("CHEAPEST_HOURS");
        assertThat(k.get("commandId").asText()).isEqualTo(id);
        assertThat(k.get("state").asText()).isEqualTo("CONFIRMED");
        assertThat(k.get("followedYesterday").get("followed").isNull()).as("no circuit data yet: not judged").isTrue();
        Document stored = Mono.from(db.getCollection(CIRCUIT_SCHEDULES).find(Filters.eq(ID, HOME + "/water-heater")).first()).block();
        assertThat(stored.getString(COMMAND_ID)).isEqualTo(id);

        // The meter page renders with the schedule's command in the staff's list of latest commands.
        HttpResponse<String> staffPage = api(staffToken, "GET", "/meters/" + HOME, null);
        assertThat(staffPage.statusCode()).as(staffPage.body()).isEqualTo(200);
        assertThat(staffPage.body()).contains("circuit water-heater: schedule");
        assertThat(alice.api("GET", "/meters/" + HOME, null).statusCode()).isEqualTo(200);

        String removed = commandId(alice.api("DELETE", "/api/v1/meters/" + HOME + "/circuits/water-heater/schedule", null));
        await().atMost(Duration.ofSeconds(30)).until(() -> "CONFIRMED".equals(command(alice.token, removed).get("state").asText()));
        assertThat(home.running).doesNotContainKey("water-heater");
    }

    @Test
    void owner_cannotTouchTheSupplyRelay_aCriticalCircuit_oneWithoutRelay_orAnUnknownOne() throws Exception {
        assertThat(alice.api("POST", "/api/v1/meters/" + HOME + "/relay", "{\"relay\":\"OFF\",\"reason\":\"trying the supply\"}").statusCode())
                .isEqualTo(403);
        HttpResponse<String> fridge = alice.api("POST", "/api/v1/meters/" + HOME + "/circuits/fridge/relay", "{\"relay\":\"OFF\"}");
        assertThat(fridge.statusCode()).isEqualTo(409);
        assertThat(fridge.body()).contains("critical");
        assertThat(alice.api("PUT", "/api/v1/meters/" + HOME + "/circuits/fridge/schedule", "{\"preset\":\"CHEAPEST_BAND\"}").statusCode())
                .isEqualTo(409);
        assertThat(alice.api("POST", "/api/v1/meters/" + HOME + "/circuits/washer/relay", "{\"relay\":\"OFF\"}").statusCode()).isEqualTo(409);
        assertThat(alice.api("POST", "/api/v1/meters/" + HOME + "/circuits/sauna/relay", "{\"relay\":\"ON\"}").statusCode()).isEqualTo(409);
        assertThat(alice.api("PUT", "/api/v1/meters/" + HOME + "/circuits/water-heater/schedule", "{\"preset\":\"SOMETIMES\"}").statusCode())
                .isEqualTo(400);
        assertThat(home.relays.get("fridge")).isEqualTo(RelayState.ON);
        assertThat(home.supplySwitches).isZero();
        long commands = Mono.from(db.getCollection(COMMANDS).countDocuments(Filters.and(Filters.eq(METER_ID, HOME),
                Filters.in(COMMAND_CIRCUIT, "fridge", "washer", "sauna")))).block();
        assertThat(commands).isZero();
    }

    @Test
    void anotherConsumersMeter_isNotFound_andStaffCannotSwitchAConsumersCircuit() throws Exception {
        assertThat(alice.api("POST", "/api/v1/meters/" + NEIGHBOUR + "/circuits/water-heater/relay", "{\"relay\":\"ON\"}").statusCode())
                .isEqualTo(404);
        assertThat(alice.api("PUT", "/api/v1/meters/" + NEIGHBOUR + "/circuits/water-heater/schedule", "{\"preset\":\"CHEAPEST_BAND\"}")
                .statusCode()).isEqualTo(404);
        assertThat(bob.api("POST", "/api/v1/meters/" + HOME + "/circuits/water-heater/relay", "{\"relay\":\"ON\"}").statusCode()).isEqualTo(404);
        assertThat(api(staffToken, "POST", "/api/v1/meters/" + HOME + "/circuits/water-heater/relay", "{\"relay\":\"ON\"}").statusCode())
                .isEqualTo(403);
    }
}
