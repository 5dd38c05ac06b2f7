package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /health} while the database is gone: a prompt 503 saying so, and 200 again once it is back. */
class HealthOutageIT {

    @TempDir
    Path dir;

    @Test
    void databaseDown_healthAnswers503Promptly_andRecoversWithTheDatabase() throws Exception {
        int storePort = FreePorts.resolve(0);
        EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(storePort, dir));
        MongoClient mongo = MongoClients.create(store.connectionString());
        ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD), Map.of())
                .withMongoUri(store.connectionString());
        PortalIT.start(); // for its Vert.x
        Portal portal = new Portal(PortalSettings.load(ims, Map.of()).withPasswordCost(4), mongo.getDatabase("health"), PortalIT.vertx);
        int port = portal.start().toCompletionStage().toCompletableFuture().get();
        HttpClient http = HttpClient.newHttpClient();
        // The driver alone would wait 30 s for a server; the answer must come well within this.
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(10)).build();
        try {
            assertThat(http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            store.close();
            HttpResponse<String> down = http.send(health, HttpResponse.BodyHandlers.ofString());
            assertThat(down.statusCode()).isEqualTo(503);
            JsonNode body = Json.mapper().readTree(down.body());
            assertThat(body.get("database").asText()).isEqualTo("DOWN");
            assertThat(body.get("status").asText()).isEqualTo("DOWN");
            store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(storePort, dir));
            await().atMost(Duration.ofSeconds(60)).until(() -> http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        } finally {
            portal.close().toCompletionStage().toCompletableFuture().get();
            mongo.close();
            store.close();
        }
    }

    @Test
    void anIngestThatCannotWrite_makesHealthDown_evenWhileThePortalReachesTheDatabase() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
                MongoClient mongo = MongoClients.create(store.connectionString())) {
            ImsSettings ims = ImsSettings.load(Map.of("HTTP_PORT", "0", "IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD), Map.of())
                    .withMongoUri(store.connectionString());
            PortalIT.start();
            var db = mongo.getDatabase("health-ingest");
            Portal portal = new Portal(PortalSettings.load(ims, Map.of()).withPasswordCost(4), db, PortalIT.vertx);
            int port = portal.start().toCompletionStage().toCompletableFuture().get();
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(10)).build();
            try {
                JsonNode none = Json.mapper().readTree(http.send(health, HttpResponse.BodyHandlers.ofString()).body());
                assertThat(none.get("ingestDatabase").asText()).isEqualTo("UNKNOWN");
                // The heartbeats two ingest instances write: one of them cannot write its readings.
                heartbeat(db, "ingest-a", "UP");
                heartbeat(db, "ingest-b", "UP");
                HttpResponse<String> up = http.send(health, HttpResponse.BodyHandlers.ofString());
                assertThat(up.statusCode()).isEqualTo(200);
                assertThat(Json.mapper().readTree(up.body()).get("ingestDatabase").asText()).isEqualTo("UP");
                heartbeat(db, "ingest-b", "DOWN");
                HttpResponse<String> down = http.send(health, HttpResponse.BodyHandlers.ofString());
                assertThat(down.statusCode()).isEqualTo(503);
                JsonNode body = Json.mapper().readTree(down.body());
                assertThat(body.get("ingestDatabase").asText()).isEqualTo("DOWN");
                assertThat(body.get("database").asText()).isEqualTo("DOWN");
                assertThat(body.get("status").asText()).isEqualTo("DOWN");
            } finally {
                portal.close().toCompletionStage().toCompletableFuture().get();
            }
        }
    }

    private static void heartbeat(com.mongodb.reactivestreams.client.MongoDatabase db, String id, String database) {
        reactor.core.publisher.Mono.from(db.getCollection(dev.ims.model.storage.StoreSchema.SERVICES).replaceOne(
                com.mongodb.client.model.Filters.eq("_id", id),
                new org.bson.Document("_id", id).append("kind", "ingest").append("broker", "UP").append("database", database)
                        .append("heartbeat", new java.util.Date()),
                new com.mongodb.client.model.ReplaceOptions().upsert(true))).block();
    }
}
