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
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import dev.ims.portal.command.CommandService;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The portal signs what it publishes: a staff relay command reaches the broker signed for its meter with
 * the key whose public half the portal listed in {@code {IMS_DATA_DIR}/keys/command-keys.json}, valid five
 * minutes, and the stored command re-creates the published payload byte for byte.
 */
class SignedRelayCommandsIT {

    @TempDir
    static Path dataDir;

    static EmbeddedBroker broker;
    static Portal portal;
    static MongoDatabase db;
    static int port;
    static final BrokerIdentities ids = new BrokerIdentities();
    static MeterSides meterSide;
    static final Map<String, byte[]> published = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        PortalIT.start();
        db = PortalIT.mongo.getDatabase("signing");
        Mono.from(db.drop()).block();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dataDir.resolve("broker")).withSecurity(ids.security()));
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD, "IMS_DATA_DIR", dataDir.toString()),
                Map.of()).withMongoUri(PortalIT.store.connectionString()).withMqttUrl(broker.url()).withMqttCredential(ids.portal("ims-portal"));
        portal = new Portal(PortalSettings.load(ims, Map.of()).withPasswordCost(4), db, PortalIT.vertx);
        port = portal.start().toCompletionStage().toCompletableFuture().get();
        meterSide = new MeterSides(broker.port(), ids).onPublish(p -> published.put(p.getTopic().toString(), p.getPayloadAsBytes()));
        meterSide.meter("IMS-SIGNED-01");
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

    @Test
    void staffRelayCommand_isPublishedSignedForItsMeter_andStoredSoThatItCanBeSentAgainUnchanged() throws Exception {
        String meter = "IMS-SIGNED-01";
        Mono.from(db.getCollection(METERS).insertOne(new Document(ID, meter).append(CONNECTION, "ONLINE").append(LAST_SEEN, new Date()))).block();
        String token = login();

        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/meters/" + meter + "/relay"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"relay\":\"OFF\",\"reason\":\"signed command test\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String commandId = Json.mapper().readTree(r.body()).get("commandId").asText();

        await().atMost(Duration.ofSeconds(10)).until(() -> published.containsKey("meters/" + meter + "/command"));
        byte[] payload = published.get("meters/" + meter + "/command");
        RelayCommand command = RelayCommand.decode(payload);
        assertThat(command.commandId()).isEqualTo(commandId);
        assertThat(command.relay()).isEqualTo(RelayState.OFF);
        assertThat(Duration.between(command.ts(), command.expiresAt())).isEqualTo(CommandService.DEFAULT_VALIDITY);

        CommandKeySet keys = CommandKeySet.read(CommandKeys.defaultKeySetFile(dataDir));
        CommandVerifier verifier = new CommandVerifier(keys);
        assertThat(verifier.verify(meter, command, Instant.now()).ok()).isTrue();
        assertThat(verifier.verify("IMS-SOMEONE-ELSE", command, Instant.now()).ok()).isFalse();
        assertThat(keys.keys()).containsOnlyKeys(command.keyId());

        Document stored = Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, commandId)).first()).block();
        assertThat(CommandService.wireCommand(stored).encode()).isEqualTo(payload);
        assertThat(stored.getDate(EXPIRES_AT).toInstant()).isEqualTo(command.expiresAt());
    }

    private static String login() throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + PortalIT.ADMIN_PASSWORD + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = Json.mapper().readTree(r.body());
        return body.get("token").asText();
    }
}
