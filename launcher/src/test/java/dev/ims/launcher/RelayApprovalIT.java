package dev.ims.launcher;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.client.meter.MeterDevice;
import dev.ims.client.mqtt.MeterConnection;
import dev.ims.client.relay.CommandGuard;
import dev.ims.client.relay.CommandTrust;
import dev.ims.client.relay.RelayRules;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.model.security.Credential;
import dev.ims.portal.device.Provisioned;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The relay safeguards end to end on the one-command stack (embedded broker, store, ingest, portal) with a meter that
 * checks every command's signature and acknowledges it: a "do not disconnect" meter is switched off only after a second
 * staff member approved (the requester's own approval is refused), and an ON past an open tamper alarm only with an
 * override; in both cases the meter carries it out and its acknowledgement confirms the command.
 */
class RelayApprovalIT {

    @TempDir
    static Path dir;

    static LocalStack stack;
    static MongoClient mongo;
    static MongoDatabase db;
    static final String ADMIN_PASSWORD = "approval-staff-42";
    static final String METER = "approval-home-1";
    static MeterConnection connection;
    static volatile RelayState relay = RelayState.ON;
    static volatile int switches;
    static String admin;
    static String bob;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("TIME_ZONE", "Europe/Berlin", "HTTP_PORT", "0", "MQTT_PORT", "0", "MQTT_TLS_PORT", "0",
                "MONGO_PORT", "0", "IMS_DATA_DIR", dir.toString(), "IMS_ADMIN_PASSWORD", ADMIN_PASSWORD));
        stack = LocalStack.start(ImsSettings.load(env, Map.of()), new LocalStack.Options(1, 1, 1, Duration.ZERO));
        mongo = MongoClients.create(stack.mongoUri());
        db = mongo.getDatabase(ImsSettings.load(env, Map.of()).mongoDatabase());
        // A second staff member (the stack makes only the first).
        Mono.from(db.getCollection(USERS).insertOne(new Document(ID, "bob").append("passwordHash",
                new dev.ims.portal.account.Passwords(10).hash(ADMIN_PASSWORD)).append("role", "STAFF").append("createdAt", new Date()))).block();
        admin = login("admin");
        bob = login("bob");

        Provisioned p = stack.devices().provision(METER, "approval test").toCompletableFuture().get(30, TimeUnit.SECONDS);
        MeterDevice device = new MeterDevice() {
            @Override
            public String meterId() {
                return METER;
            }

            @Override
            public String claimVerifier() {
                return "unused";
            }

            @Override
            public RelayState relay() {
                return relay;
            }

            @Override
            public RelayState switchRelay(RelayState wanted) {
                switches++;
                relay = wanted;
                return wanted;
            }
        };
        Path state = dir.resolve("meter").resolve("meter-state.json");
        Files.createDirectories(state.getParent());
        ImsSettings meterSettings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.resolve("meter").toString()), Map.of()).withMqttUrl(stack.mqttUrl());
        connection = new MeterConnection(device, new Credential(METER, p.secret()), meterSettings, Clock.systemUTC(),
                CommandGuard.forStateFile(state, METER, CommandTrust.load(stack.commandKeySetFile()), RelayRules.withMinSwitchInterval(Duration.ZERO)));
        connection.connect().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(connectionState()));
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

    @Test
    void doNotDisconnect_offNeedsASecondStaffMember_thenTheMeterCarriesItOut_andItsAckConfirmsIt_andAnInterlockedOnNeedsAnOverride()
            throws Exception {
        HttpResponse<String> flagged = api(admin, "PUT", "/api/v1/meters/" + METER + "/do-not-disconnect", "{\"reason\":\"home oxygen therapy\"}");
        assertThat(flagged.statusCode()).as(flagged.body()).isEqualTo(200);

        HttpResponse<String> off = api(admin, "POST", "/api/v1/meters/" + METER + "/relay", "{\"relay\":\"OFF\",\"reason\":\"unpaid for six months\"}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(202);
        JsonNode body = Json.mapper().readTree(off.body());
        assertThat(body.get("state").asText()).isEqualTo("AWAITING_APPROVAL");
        String id = body.get("commandId").asText();
        HttpResponse<String> own = api(admin, "POST", "/api/v1/commands/" + id + "/approve", null);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(403);
        assertThat(switches).isZero();

        HttpResponse<String> approved = api(bob, "POST", "/api/v1/commands/" + id + "/approve", "{\"note\":\"social services informed\"}");
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> "CONFIRMED".equals(command(id).get("state").asText()));
        assertThat(relay).isEqualTo(RelayState.OFF);
        JsonNode audited = command(id);
        assertThat(audited.get("history")).extracting(h -> h.get("state").asText()).containsExactly("AWAITING_APPROVAL", "PENDING", "CONFIRMED");
        assertThat(audited.get("approval").get("by").asText()).isEqualTo("bob");
        assertThat(audited.get("requestedBy").asText()).isEqualTo("admin");
        assertThat(audited.get("ackRelay").asText()).isEqualTo("OFF");

        // The supply back ON past an open tamper alarm: refused, then overridden, carried out and confirmed.
        Mono.from(db.getCollection(ALARMS).insertOne(new Document(ID, "TAMPER/" + METER).append(METER_ID, METER))).block();
        HttpResponse<String> refused = api(admin, "POST", "/api/v1/meters/" + METER + "/relay", "{\"relay\":\"ON\",\"reason\":\"paid in full\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(Json.mapper().readTree(refused.body()).get("interlock").get("alarmId").asText()).isEqualTo("TAMPER/" + METER);
        HttpResponse<String> on = api(admin, "POST", "/api/v1/meters/" + METER + "/relay",
                "{\"relay\":\"ON\",\"reason\":\"paid in full\",\"override\":{\"reason\":\"cover opened by our own fitter, ticket 1207\"}}");
        assertThat(on.statusCode()).as(on.body()).isEqualTo(202);
        String onId = Json.mapper().readTree(on.body()).get("commandId").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> "CONFIRMED".equals(command(onId).get("state").asText()));
        assertThat(relay).isEqualTo(RelayState.ON);
        assertThat(command(onId).get("override").get("interlock").get("alarmId").asText()).isEqualTo("TAMPER/" + METER);
        // The flag outlived the meter's own writes (its birth, acknowledgements) through the ingest.
        Document meter = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, METER)).first()).block();
        assertThat(meter.get(DO_NOT_DISCONNECT, Document.class).getString(REASON)).isEqualTo("home oxygen therapy");
        assertThat(switches).isEqualTo(2);
    }

    static String connectionState() {
        Document m = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, METER)).first()).block();
        Document last = m == null ? null : m.get(CONNECTION_LAST, Document.class);
        return last == null ? null : last.getString(STATE);
    }

    static JsonNode command(String id) throws Exception {
        HttpResponse<String> r = api(admin, "GET", "/api/v1/commands/" + id, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    static String login(String user) throws Exception {
        HttpResponse<String> r = api(null, "POST", "/api/v1/login", Json.mapper().writeValueAsString(Map.of("username", user, "password", ADMIN_PASSWORD)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }

    static HttpResponse<String> api(String token, String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.portalPort() + path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
