package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.portal.command.CommandService;
import io.vertx.core.Future;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

/**
 * A command for an offline meter is stored QUEUED, signed until its expiry, and not published; the meter's
 * ONLINE status makes the portal publish the stored payload byte for byte, once, even with two portals on the
 * same store and broker. Real embedded broker and store over sockets; the meter side is a plain MQTT client.
 */
class QueuedRelayCommandsIT {

    @TempDir
    static Path dataDir;

    static EmbeddedBroker broker;
    static Portal portal;
    static Portal second;
    static MongoDatabase db;
    static int port;
    static final BrokerIdentities ids = new BrokerIdentities();
    static MeterSides meterSide;
    static final List<String> publishedTopics = new CopyOnWriteArrayList<>();
    static final Map<String, byte[]> published = new java.util.concurrent.ConcurrentHashMap<>();
    static String token;

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        db = PortalIT.mongo.getDatabase("queued");
        Mono.from(db.drop()).block();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dataDir.resolve("broker")).withSecurity(ids.security()));
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD, "IMS_DATA_DIR", dataDir.toString()),
                Map.of()).withMongoUri(PortalIT.store.connectionString()).withMqttUrl(broker.url());
        portal = new Portal(PortalSettings.load(ims.withMqttCredential(ids.portal("ims-portal-1")), Map.of()).withPasswordCost(4), db,
                PortalIT.vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
        // A second portal on the same store, broker and signing key: both follow the status messages.
        // Each portal instance has its own broker identity (and so client ID).
        second = new Portal(PortalSettings.load(ims.withMqttCredential(ids.portal("ims-portal-2")), Map.of()).withPasswordCost(4), db,
                PortalIT.vertx);
        second.start().toCompletionStage().toCompletableFuture().get();
        meterSide = new MeterSides(broker.port(), ids).onPublish(p -> {
            publishedTopics.add(p.getTopic().toString());
            published.put(p.getTopic().toString(), p.getPayloadAsBytes());
        });
        for (int i = 1; i <= 5; i++) {
            meterSide.meter("IMS-QUEUED-0" + i);
        }
        token = login();
    }

    @AfterAll
    static void stop() {
        if (meterSide != null) {
            meterSide.close();
        }
        for (Portal p : new Portal[] {portal, second}) {
            if (p != null) {
                p.close().toCompletionStage().toCompletableFuture().join();
            }
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void commandForAnOfflineMeter_isQueuedSignedUntilItsExpiry_andDeliveredOnceByteForByteWhenTheMeterComesOnline() throws Exception {
        String meter = "IMS-QUEUED-01";
        meterDoc(meter, "OFFLINE");
        HttpResponse<String> r = relay(meter, "{\"relay\":\"OFF\",\"reason\":\"unpaid bill, meter offline\",\"validForHours\":48}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("state").asText()).isEqualTo("QUEUED");
        String id = body.get("commandId").asText();
        Document stored = command(id);
        assertThat(stored.getString(STATE)).isEqualTo("QUEUED");
        RelayCommand wire = CommandService.wireCommand(stored);
        assertThat(Duration.between(wire.ts(), wire.expiresAt())).isEqualTo(Duration.ofHours(48));
        assertThat(body.get("expiresAt").asText()).isEqualTo(wire.expiresAt().toString());
        CommandVerifier verifier = new CommandVerifier(CommandKeySet.read(CommandKeys.defaultKeySetFile(dataDir)));
        assertThat(verifier.verify(meter, wire, Instant.now()).ok()).isTrue();
        JsonNode api = get("/api/v1/commands/" + id);
        assertThat(api.get("state").asText()).isEqualTo("QUEUED");
        assertThat(api.get("expiresAt").isNull()).isFalse();
        assertThat(publishedTopics).doesNotContain("meters/" + meter + "/command");

        // The meter comes back: its retained birth reaches both portals; exactly one publishes.
        meterDoc(meter, "ONLINE");
        birth(meter);
        await().atMost(Duration.ofSeconds(15)).until(() -> published.containsKey("meters/" + meter + "/command"));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> publishedTopics.stream().filter(t -> t.equals("meters/" + meter + "/command")).count() == 1);
        assertThat(published.get("meters/" + meter + "/command")).isEqualTo(wire.encode());
        Document delivered = command(id);
        assertThat(delivered.getString(STATE)).isEqualTo("PENDING");
        assertThat(delivered.getDate(SENT_AT)).isNotNull();
        assertThat(delivered.getList(HISTORY, Document.class)).extracting(h -> h.getString(STATE)).containsExactly("QUEUED", "PENDING");
    }

    @Test
    void queuedCommands_areDeliveredInTheOrderTheyWereRequested_byTheSweep_whenTheBirthCameFirst() throws Exception {
        String meter = "IMS-QUEUED-02";
        meterDoc(meter, "OFFLINE");
        String first = Json.mapper().readTree(relay(meter, "{\"relay\":\"OFF\",\"reason\":\"first of two\"}").body()).get("commandId").asText();
        String then = Json.mapper().readTree(relay(meter, "{\"relay\":\"ON\",\"reason\":\"second of two\"}").body()).get("commandId").asText();
        // Online in the store only (as the ingest records a birth): the sweep finds it.
        meterDoc(meter, "ONLINE");
        List<String> order = new CopyOnWriteArrayList<>();
        meterSide.onPublish(p -> {
            if (p.getTopic().toString().equals("meters/" + meter + "/command")) {
                order.add(RelayCommand.decode(p.getPayloadAsBytes()).commandId());
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> order.size() >= 2);
        assertThat(order).containsExactly(first, then);
        assertThat(command(then).getString(STATE)).isEqualTo("PENDING");
    }

    @Test
    void commandForAnOnlineMeter_isPublishedAtOnce_validFiveMinutes_whateverValidityWasAskedFor() throws Exception {
        String meter = "IMS-QUEUED-03";
        meterDoc(meter, "ONLINE");
        HttpResponse<String> r = relay(meter, "{\"relay\":\"OFF\",\"reason\":\"meter online\",\"validForHours\":24}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(Json.mapper().readTree(r.body()).get("state").asText()).isEqualTo("PENDING");
        await().atMost(Duration.ofSeconds(10)).until(() -> published.containsKey("meters/" + meter + "/command"));
        RelayCommand c = RelayCommand.decode(published.get("meters/" + meter + "/command"));
        assertThat(Duration.between(c.ts(), c.expiresAt())).isEqualTo(CommandService.DEFAULT_VALIDITY);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "\"validForHours\":0", "\"validForHours\":169", "\"validForHours\":1.5", "\"validForHours\":\"24\"",
            "\"validForMinutes\":0", "\"validForMinutes\":10081", "\"validForHours\":1,\"validForMinutes\":5"})
    void validity_outsideItsRangeOrGivenTwice_isA400_andNothingIsStored(String field) throws Exception {
        String meter = "IMS-QUEUED-04";
        meterDoc(meter, "OFFLINE");
        HttpResponse<String> r = relay(meter, "{\"relay\":\"OFF\",\"reason\":\"bad validity\"," + field + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(Json.mapper().readTree(r.body()).get("error").asText()).containsAnyOf("validForHours", "validForMinutes");
        assertThat(Mono.from(db.getCollection(COMMANDS).countDocuments(Filters.eq(METER_ID, meter))).block()).isZero();
    }

    @Test
    void queuedCommand_withoutAValidity_isKept24Hours() throws Exception {
        String meter = "IMS-QUEUED-05";
        meterDoc(meter, "OFFLINE");
        String id = Json.mapper().readTree(relay(meter, "{\"relay\":\"OFF\",\"reason\":\"default validity\"}").body()).get("commandId").asText();
        RelayCommand wire = CommandService.wireCommand(command(id));
        assertThat(Duration.between(wire.ts(), wire.expiresAt())).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void concurrentClaims_ofOneQueuedCommand_letExactlyOneWin_andAnExpiredOneIsNeverClaimed() throws Exception {
        CommandService service = new CommandService(db, null, null, CommandService.DEFAULT_VALIDITY, Clock.systemUTC());
        Instant now = Instant.now();
        Mono.from(db.getCollection(COMMANDS).insertOne(new Document(ID, "claim-race").append(METER_ID, "IMS-QUEUED-06").append(STATE, "QUEUED")
                .append(REQUESTED_AT, Date.from(now)).append(EXPIRES_AT, Date.from(now.plusSeconds(3600))))).block();
        Mono.from(db.getCollection(COMMANDS).insertOne(new Document(ID, "claim-expired").append(METER_ID, "IMS-QUEUED-06").append(STATE, "QUEUED")
                .append(REQUESTED_AT, Date.from(now.minusSeconds(120))).append(EXPIRES_AT, Date.from(now.minusSeconds(60))))).block();
        List<Future<Document>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            claims.add(service.claim("claim-race", now));
        }
        Future.join(claims).toCompletionStage().toCompletableFuture().get();
        assertThat(claims.stream().filter(f -> f.result() != null).count()).isEqualTo(1);
        assertThat(service.claim("claim-expired", now).toCompletionStage().toCompletableFuture().get()).isNull();
        assertThat(command("claim-expired").getString(STATE)).isEqualTo("QUEUED");
    }

    private static void meterDoc(String meter, String state) {
        Mono.from(db.getCollection(METERS).updateOne(Filters.eq(ID, meter),
                new Document("$set", new Document(CONNECTION_LAST, new Document(STATE, state).append(TS, new Date())).append(LAST_SEEN, new Date())),
                new com.mongodb.client.model.UpdateOptions().upsert(true))).block();
    }

    private static void birth(String meter) {
        meterSide.meter(meter).publishWith().topic("meters/" + meter + "/status").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload(StatusMessage.of(meter, ConnectionState.ONLINE, Instant.now()).encode()).send();
    }

    private static Document command(String id) {
        return Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, id)).first()).block();
    }

    private static HttpResponse<String> relay(String meter, String json) throws Exception {
        return PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/meters/" + meter + "/relay"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body());
    }

    private static String login() throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + PortalIT.ADMIN_PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.mapper().readTree(r.body()).get("token").asText();
    }
}
